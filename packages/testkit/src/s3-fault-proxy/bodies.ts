import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Transform, type TransformCallback } from 'node:stream';

/** The whole body of a request (test bodies are parts of a few MiB). */
export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** A copy of `data` with the lowest bit of the byte at `offset` (default: the middle byte) flipped. */
export function flipBit(data: Buffer, offset?: number): Buffer {
  const copy = Buffer.from(data);
  if (copy.length === 0) return copy;
  const at = Math.min(copy.length - 1, Math.max(0, offset ?? Math.floor(copy.length / 2)));
  copy[at] = (copy[at] ?? 0) ^ 1;
  return copy;
}

export const md5Hex = (data: Buffer): string => createHash('md5').update(data).digest('hex');

/**
 * The error S3 answers to a body whose `Content-MD5` header does not fit it: `InvalidDigest` when the
 * header is not a base64 MD5, `BadDigest` when it differs from the body's MD5 (S3 API reference,
 * PutObject/UploadPart "Content-MD5", and the error code list: both 400). Undefined when it fits.
 */
export function contentMd5Problem(body: Buffer, header: string): { code: 'InvalidDigest' | 'BadDigest'; message: string } | undefined {
  const given = Buffer.from(header, 'base64');
  if (given.length !== 16 || given.toString('base64') !== header.trim()) return { code: 'InvalidDigest', message: 'The Content-MD5 you specified was invalid.' };
  if (!given.equals(createHash('md5').update(body).digest())) return { code: 'BadDigest', message: 'The Content-MD5 you specified did not match what we received.' };
  return undefined;
}

/** Passes a response body through, with one bit flipped at `offset` (counted from the body's first byte). */
export class BitFlipper extends Transform {
  private seen = 0;

  constructor(private readonly offset: number) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, callback: TransformCallback): void {
    const start = this.seen;
    this.seen += chunk.length;
    if (this.offset >= start && this.offset < this.seen) callback(null, flipBit(chunk, this.offset - start));
    else callback(null, chunk);
  }
}
