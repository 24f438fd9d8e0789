import { createHash, randomBytes } from 'node:crypto';
import { snapshotArchiveBuffer } from '@vault-raft-backup/testkit';
import { chunked, verify, verifyError } from './snapshot-helpers';

// The verifier hands gunzip 512 KiB batches copied into a few reused buffers: these archives are
// several batches long, so batches fill, buffers come back for reuse, and writes wait for room.
const state = randomBytes(3 * 1024 * 1024 + 12_345);

async function bigArchive(): Promise<Buffer> {
  // level 0: stored blocks, so the compressed bytes are as many as the state's
  return snapshotArchiveBuffer({ meta: { index: 77, term: 3 }, state, gzipLevel: 0 });
}

describe('SnapshotVerifier on archives several gunzip batches long', () => {
  it.each([
    ['64 KiB network chunks', 64 * 1024],
    ['odd 10 007-byte chunks that straddle every batch boundary', 10_007],
    ['1 MiB file reads, passed to gunzip without a copy', 1024 * 1024],
  ])('accepts the archive in %s and passes every byte through unchanged', async (_what, size) => {
    const archive = await bigArchive();

    const { info, output } = await verify(chunked(archive, size));

    expect(info.stateBytes).toBe(state.length);
    expect(info.sha256).toBe(createHash('sha256').update(archive).digest('hex'));
    expect(output.equals(archive)).toBe(true);
  });

  it('when one byte is flipped past the first batches, it fails SNAPSHOT_INVALID (the gzip checksum of the member)', async () => {
    const archive = await bigArchive();
    const damaged = Buffer.from(archive);
    const at = 2 * 1024 * 1024 + 999;
    damaged[at] = (damaged[at] ?? 0) ^ 0x01;

    const err = await verifyError(chunked(damaged, 64 * 1024));

    expect([err.code, err.message]).toEqual(['SNAPSHOT_INVALID', 'snapshot is not valid gzip data: incorrect data check']);
  });

  it('when the archive stops after a few batches, it fails SNAPSHOT_INCOMPLETE', async () => {
    const archive = await bigArchive();

    const err = await verifyError(chunked(archive.subarray(0, 1_800_000), 64 * 1024));

    expect(err.code).toBe('SNAPSHOT_INCOMPLETE');
  });
});
