import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { reclaimBuffersDuring } from '../buffer-reclaim';
import { type Progress, progressStream } from '../progress';
import type { SnapshotInfo, VerifyOptions } from './snapshot-checks';
import { SnapshotVerifier } from './snapshot-verifier';

/**
 * Streams a snapshot archive from `source` to `sink` through the verifier (and a progress counter when
 * given), freeing the transfer's dead buffers as it goes, and returns what the verifier found. Nothing is
 * held in memory beyond the streams' own buffers.
 * @throws the first error of the pipeline: SnapshotError for a bad archive, or the source's or sink's own error
 */
export async function streamVerified(source: Readable, sink: Writable, o: { progress?: Progress; signal?: AbortSignal | undefined; verify?: VerifyOptions } = {}): Promise<SnapshotInfo> {
  const verifier = new SnapshotVerifier(o.verify);
  const { progress, signal } = o;
  await reclaimBuffersDuring(() => (progress ? pipeline(source, verifier, progressStream(progress), sink, { signal }) : pipeline(source, verifier, sink, { signal })));
  return verifier.result;
}
