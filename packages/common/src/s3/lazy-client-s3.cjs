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
// checks that they are. Each path is spelled out: esbuild bundles a require() with a computed path as
// every file that could match it, which would bring back all the commands. Each loader returns the
// module, whose export of the same name is the value.
const LOADERS = {
  AbortMultipartUploadCommand: () => require('../../../../node_modules/@aws-sdk/client-s3/dist-es/commands/AbortMultipartUploadCommand.js'),
  CompleteMultipartUploadCommand: () => require('../../../../node_modules/@aws-sdk/client-s3/dist-es/commands/CompleteMultipartUploadCommand.js'),
  CopyObjectCommand: () => require('../../../../node_modules/@aws-sdk/client-s3/dist-es/commands/CopyObjectCommand.js'),
  CreateMultipartUploadCommand: () => require('../../../../node_modules/@aws-sdk/client-s3/dist-es/commands/CreateMultipartUploadCommand.js'),
  DeleteObjectCommand: () => require('../../../../node_modules/@aws-sdk/client-s3/dist-es/commands/DeleteObjectCommand.js'),
  DeleteObjectsCommand: () => require('../../../../node_modules/@aws-sdk/client-s3/dist-es/commands/DeleteObjectsCommand.js'),
  GetObjectCommand: () => require('../../../../node_modules/@aws-sdk/client-s3/dist-es/commands/GetObjectCommand.js'),
  HeadObjectCommand: () => require('../../../../node_modules/@aws-sdk/client-s3/dist-es/commands/HeadObjectCommand.js'),
  ListObjectsV2Command: () => require('../../../../node_modules/@aws-sdk/client-s3/dist-es/commands/ListObjectsV2Command.js'),
  PutObjectCommand: () => require('../../../../node_modules/@aws-sdk/client-s3/dist-es/commands/PutObjectCommand.js'),
  S3Client: () => require('../../../../node_modules/@aws-sdk/client-s3/dist-es/S3Client.js'),
  UploadPartCommand: () => require('../../../../node_modules/@aws-sdk/client-s3/dist-es/commands/UploadPartCommand.js'),
  UploadPartCopyCommand: () => require('../../../../node_modules/@aws-sdk/client-s3/dist-es/commands/UploadPartCopyCommand.js'),
};

const NAMES = Object.keys(LOADERS);
for (const name of NAMES) Object.defineProperty(exports, name, { enumerable: true, get: () => LOADERS[name]()[name] });
exports.NAMES = NAMES;
