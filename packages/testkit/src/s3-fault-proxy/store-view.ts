import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { S3Operation } from './operations';

/** How the emulated store describes objects: its default encryption, and whether its ETags are MD5s. */
export interface StoreLooks {
  /** Answers as a bucket with this encryption does: `x-amz-server-side-encryption` on object responses; under `aws:kms`, ETags that are not the MD5 of the bytes. */
  sse?: 'AES256' | 'aws:kms' | undefined;
  /** ETags that are not MD5s, as some stores give, without encryption. */
  opaqueEtags?: boolean | undefined;
}

/** Operations whose answers describe an object, and so carry its encryption (S3 API reference, each operation's response headers). */
const OBJECT_OPS = new Set<S3Operation>(['PutObject', 'UploadPart', 'CreateMultipartUpload', 'CompleteMultipartUpload', 'CopyObject', 'UploadPartCopy', 'HeadObject', 'GetObject']);

/** Operations whose XML answer holds an `<ETag>`. */
export const XML_ETAG_OPS = new Set<S3Operation>(['CompleteMultipartUpload', 'CopyObject', 'UploadPartCopy']);

const unquote = (etag: string) => etag.replace(/&quot;|"/g, '');

/**
 * The ETag (unquoted) the emulated store shows for `etag`: under SSE-KMS S3 gives ETags that are not
 * the MD5 of the object (S3 API reference, Object "ETag"), but look like one; the same object keeps its ETag.
 */
export function shownEtag(etag: string, looks: StoreLooks): string {
  const plain = unquote(etag);
  if (looks.sse !== 'aws:kms' && !looks.opaqueEtags) return plain;
  const suffix = /-\d+$/.exec(plain)?.[0] ?? '';
  return `${createHash('md5').update(`opaque:${plain}`).digest('hex')}${suffix}`;
}

/** The response headers as the emulated store sends them: its encryption header, its ETag (or `claimed`, when it claims one). */
export function storeHeaders(op: S3Operation, status: number, headers: IncomingHttpHeaders, looks: StoreLooks, claimed: string | undefined): IncomingHttpHeaders {
  const out = { ...headers };
  if (status >= 300 || !OBJECT_OPS.has(op)) return out;
  if (looks.sse) out['x-amz-server-side-encryption'] = looks.sse;
  const etag = claimed ?? (typeof out.etag === 'string' ? out.etag : undefined);
  if (etag !== undefined) out.etag = `"${shownEtag(etag, looks)}"`;
  return out;
}

/** The `<ETag>` of an XML answer replaced as {@link storeHeaders} does. */
export function storeXml(xml: string, looks: StoreLooks, claimed: string | undefined): string {
  return xml.replace(/<ETag>([^<]*)<\/ETag>/g, (_m, etag: string) => `<ETag>&quot;${shownEtag(claimed ?? etag, looks)}&quot;</ETag>`);
}
