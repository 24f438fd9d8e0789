import { AppError, type ErrorCode, S3Error } from '../errors';

const ACCESS_DENIED = new Set(['AccessDenied', 'InvalidAccessKeyId', 'SignatureDoesNotMatch', 'InvalidToken', 'ExpiredToken', 'Forbidden']);
const NOT_FOUND_KEY = new Set(['NoSuchKey', 'NotFound']);

function errorName(err: unknown): string {
  const e = err as { name?: unknown; Code?: unknown };
  return typeof e?.Code === 'string' ? e.Code : typeof e?.name === 'string' ? e.name : '';
}

function httpStatus(err: unknown): number | undefined {
  return (err as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
}

/** The `s3://bucket/key` form used in messages. */
export function s3Url(bucket: string, key?: string): string {
  return key === undefined ? `s3://${bucket}` : `s3://${bucket}/${key}`;
}

/**
 * Wraps an AWS SDK error (or one from a body stream) as an S3Error naming the action, bucket and key; keeps `cause`.
 * AppErrors (e.g. a snapshot that failed verification mid-stream) pass through unchanged.
 */
export function toS3Error(err: unknown, action: string, bucket: string, key?: string): AppError {
  if (err instanceof AppError) return err;
  const name = errorName(err);
  const status = httpStatus(err);
  const where = s3Url(bucket, key);
  let code: ErrorCode = 'S3_FAILED';
  let message: string;
  if (name === 'NoSuchBucket') {
    code = 'S3_NOT_FOUND';
    message = `${action} failed: bucket ${bucket} does not exist (${where})`;
  } else if (NOT_FOUND_KEY.has(name) || status === 404) {
    code = 'S3_NOT_FOUND';
    message = `${action} failed: ${where} does not exist`;
  } else if (name === 'TimeoutError' || name === 'RequestTimeout') {
    // the socket timeout (a silent store), the speed floor (a crawling one), or S3's own RequestTimeout
    code = 'S3_TIMEOUT';
    message = `${action} timed out for ${where}`;
  } else if (ACCESS_DENIED.has(name) || status === 403) {
    code = 'S3_ACCESS_DENIED';
    message = `${action} failed: access denied to ${where}${name ? ` (${name})` : ''}`;
  } else {
    message = `${action} failed for ${where}${name ? ` (${name}${status ? ` ${status}` : ''})` : ''}`;
  }
  return new S3Error(code, message, { bucket, key, cause: err });
}
