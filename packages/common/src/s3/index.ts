export { createS3Client } from './client';
export { latestKeyOf, s3ClientOptionsFrom, s3EnvShape, s3FileVars, s3LatestKeyShape, s3Passthrough, s3Secrets, withS3Checks } from './config';
export { getObjectStream, type ObjectStream } from './download';
export { s3Url, toS3Error } from './errors';
export { headObject } from './head';
export { listSnapshotObjects, type SnapshotObject } from './list';
