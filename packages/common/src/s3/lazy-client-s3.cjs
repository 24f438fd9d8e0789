'use strict';
// The s3-uploader and restore-fetcher bundles alias @aws-sdk/client-s3 to this file (esbuild
// --alias in their build scripts), so the SDK is evaluated on first use of one of its exports, not
// when the bundle starts: evaluating it (and the http2, crypto and stream modules it pulls in) was
// most of a --help run. esbuild imports a CommonJS module through getters (its __toESM helper reads
// `from[key]` on each access), and bundles a require() of an ES module as a lazy init call.
//
// Each name requires its own module of the SDK's ES build (what --main-fields=module,main picks),
// not the package's index: the index re-exports every S3 command, and esbuild keeps all that a
// require() reaches. The relative path (the workspace root's node_modules, where npm installs the
// SDK) escapes the alias, which rewrites subpaths of the package too and would point a bare
// require back here; a layout without it fails the build, not the run.
//
// Every value the sources import from @aws-sdk/client-s3 must be listed; test/lazy-client-s3.test.ts
// checks that they are.
const LOADERS = {
  AbortMultipartUploadCommand: () => require('../../../../node_modules/@aws-sdk/client-s3/dist-es/commands/AbortMultipartUploadCommand.js').AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand: () => require('../../../../node_modules/@aws-sdk/client-s3/dist-es/commands/CompleteMultipartUploadCommand.js').CompleteMultipartUploadCommand,
  CopyObjectCommand: () => require('../../../../node_modules/@aws-sdk/client-s3/dist-es/commands/CopyObjectCommand.js').CopyObjectCommand,
  CreateMultipartUploadCommand: () => require('../../../../node_modules/@aws-sdk/client-s3/dist-es/commands/CreateMultipartUploadCommand.js').CreateMultipartUploadCommand,
  DeleteObjectCommand: () => require('../../../../node_modules/@aws-sdk/client-s3/dist-es/commands/DeleteObjectCommand.js').DeleteObjectCommand,
  DeleteObjectsCommand: () => require('../../../../node_modules/@aws-sdk/client-s3/dist-es/commands/DeleteObjectsCommand.js').DeleteObjectsCommand,
  GetObjectCommand: () => require('../../../../node_modules/@aws-sdk/client-s3/dist-es/commands/GetObjectCommand.js').GetObjectCommand,
  HeadObjectCommand: () => require('../../../../node_modules/@aws-sdk/client-s3/dist-es/commands/HeadObjectCommand.js').HeadObjectCommand,
  ListObjectsV2Command: () => require('../../../../node_modules/@aws-sdk/client-s3/dist-es/commands/ListObjectsV2Command.js').ListObjectsV2Command,
  PutObjectCommand: () => require('../../../../node_modules/@aws-sdk/client-s3/dist-es/commands/PutObjectCommand.js').PutObjectCommand,
  S3Client: () => require('../../../../node_modules/@aws-sdk/client-s3/dist-es/S3Client.js').S3Client,
  UploadPartCommand: () => require('../../../../node_modules/@aws-sdk/client-s3/dist-es/commands/UploadPartCommand.js').UploadPartCommand,
  UploadPartCopyCommand: () => require('../../../../node_modules/@aws-sdk/client-s3/dist-es/commands/UploadPartCopyCommand.js').UploadPartCopyCommand,
};

const NAMES = Object.keys(LOADERS);
for (const name of NAMES) Object.defineProperty(exports, name, { enumerable: true, get: LOADERS[name] });
exports.NAMES = NAMES;
