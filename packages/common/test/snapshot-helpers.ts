import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { SnapshotError, type SnapshotInfo, SnapshotVerifier, type VerifyOptions } from '../src/index';

/** Splits a buffer into chunks of `size` bytes (the last may be shorter). */
export function chunked(buf: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < buf.length; i += size) out.push(buf.subarray(i, i + size));
  return out;
}

/** Streams `input` through a verifier into memory; returns the info and the bytes that came out. */
export async function verify(input: Buffer | Buffer[], opts?: VerifyOptions): Promise<{ info: SnapshotInfo; output: Buffer }> {
  const verifier = new SnapshotVerifier(opts);
  const out: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      out.push(chunk);
      cb();
    },
  });
  await pipeline(Readable.from(Array.isArray(input) ? input : [input]), verifier, sink);
  return { info: await verifier.result, output: Buffer.concat(out) };
}

/** The SnapshotError a verification fails with; fails the test when it succeeds or fails otherwise. */
export async function verifyError(input: Buffer | Buffer[], opts?: VerifyOptions): Promise<SnapshotError> {
  try {
    await verify(input, opts);
  } catch (err) {
    if (err instanceof SnapshotError) return err;
    throw err;
  }
  throw new Error('expected the verification to fail');
}
