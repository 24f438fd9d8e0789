export { type BundleResult, bundlePath, node24Path, repoRoot, type RunBundleOptions, runBundle } from './run-bundle';
export { type S3Server, type S3ServerOptions, startS3Server } from './s3-server/index';
