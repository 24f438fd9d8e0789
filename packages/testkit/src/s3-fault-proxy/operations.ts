import type { IncomingMessage } from 'node:http';

/** The S3 API operations the proxy tells apart (from method, path and query, as S3 itself does). */
export type S3Operation =
  | 'CreateMultipartUpload'
  | 'UploadPart'
  | 'UploadPartCopy'
  | 'CompleteMultipartUpload'
  | 'AbortMultipartUpload'
  | 'ListMultipartUploads'
  | 'PutObject'
  | 'CopyObject'
  | 'HeadObject'
  | 'HeadBucket'
  | 'GetObject'
  | 'ListObjectsV2'
  | 'DeleteObjects'
  | 'DeleteObject'
  | 'Other';

/** What the proxy knows about one request before forwarding it. */
export interface RequestInfo {
  op: S3Operation;
  method: string;
  /** Path-style path: `/bucket/key`. */
  path: string;
  bucket: string;
  key: string;
  /** `partNumber` of an UploadPart, else undefined. */
  partNumber: number | undefined;
}

function classify(method: string, q: URLSearchParams, hasKey: boolean, copy: boolean): S3Operation {
  if (method === 'POST') return q.has('uploads') ? 'CreateMultipartUpload' : q.has('uploadId') ? 'CompleteMultipartUpload' : q.has('delete') ? 'DeleteObjects' : 'Other';
  if (method === 'PUT' && q.has('partNumber')) return copy ? 'UploadPartCopy' : 'UploadPart';
  if (method === 'PUT' && hasKey) return copy ? 'CopyObject' : 'PutObject';
  if (method === 'DELETE') return q.has('uploadId') ? 'AbortMultipartUpload' : hasKey ? 'DeleteObject' : 'Other';
  if (method === 'HEAD') return hasKey ? 'HeadObject' : 'HeadBucket';
  if (method === 'GET') return q.has('uploads') ? 'ListMultipartUploads' : q.get('list-type') === '2' ? 'ListObjectsV2' : hasKey ? 'GetObject' : 'Other';
  return 'Other';
}

/** Names the S3 operation of a path-style request. */
export function describeRequest(req: IncomingMessage): RequestInfo {
  const url = new URL(req.url ?? '/', 'http://proxy.invalid');
  const [, bucket = '', ...rest] = url.pathname.split('/');
  const key = decodeURIComponent(rest.join('/'));
  const method = req.method ?? 'GET';
  const op = classify(method, url.searchParams, key !== '', req.headers['x-amz-copy-source'] !== undefined);
  const part = url.searchParams.get('partNumber');
  return { op, method, path: url.pathname, bucket, key, partNumber: part === null ? undefined : Number(part) };
}

/** The `uploadId` query parameter of a multipart request ('' when absent). */
export function uploadIdOf(req: IncomingMessage): string {
  return new URL(req.url ?? '/', 'http://proxy.invalid').searchParams.get('uploadId') ?? '';
}

/** The key named by `x-amz-copy-source` (`bucket/key` or `/bucket/key`, URL-encoded), or ''. */
export function copySourceKey(req: IncomingMessage): string {
  const source = decodeURIComponent(String(req.headers['x-amz-copy-source'] ?? '')).replace(/^\//, '');
  const slash = source.indexOf('/');
  return slash < 0 ? '' : source.slice(slash + 1).replace(/\?versionId=.*$/, '');
}
