'use strict';
// The s3-uploader and restore-fetcher bundles alias @aws-sdk/client-s3 to this file (esbuild
// --alias in their build scripts), so the SDK is evaluated on first use of one of its exports, not when the bundle starts:
// evaluating it (and the http2, crypto and stream modules it pulls in) was most of a --help run.
// esbuild imports a CommonJS module through getters (its __toESM helper reads `from[key]` on each
// access), and bundles a require() of an ES module as a lazy init call.
//
// The relative path (the workspace root's node_modules, where npm installs the SDK) escapes the
// alias, which rewrites subpaths of the package too and would point a bare require back here; a
// layout without it fails the build, not the run. dist-es is what --main-fields=module,main picks.
// Every value the sources import from @aws-sdk/client-s3 must be listed; test/lazy-client-s3.test.ts
// checks that they are.
const NAMES = [
  'AbortMultipartUploadCommand',
  'CompleteMultipartUploadCommand',
  'CopyObjectCommand',
  'CreateMultipartUploadCommand',
  'DeleteObjectCommand',
  'DeleteObjectsCommand',
  'GetObjectCommand',
  'HeadObjectCommand',
  'ListObjectsV2Command',
  'PutObjectCommand',
  'S3Client',
  'UploadPartCommand',
  'UploadPartCopyCommand',
];

let sdk;
const load = () => {
  sdk ??= require('../../../../node_modules/@aws-sdk/client-s3/dist-es/index.js');
  return sdk;
};
for (const name of NAMES) Object.defineProperty(exports, name, { enumerable: true, get: () => load()[name] });
exports.NAMES = NAMES;
