import { gzipSync } from 'node:zlib';
import { gzipBuffer, sampleState, snapshotArchiveBuffer, snapshotEntries, tarBuffer, tarHeader } from '@vault-raft-backup/testkit';
import { verifyError } from './snapshot-helpers';

const state = sampleState(200_000);

/** About 50 cut points: spread over the archive, every byte of the gzip trailer, and the very start. */
function cutPoints(length: number): number[] {
  const points = new Set<number>([1, 2, 9, 10, 11]);
  for (let i = 1; i <= 36; i++) points.add(Math.floor((length * i) / 37));
  for (let back = 1; back <= 10; back++) points.add(length - back);
  return [...points].filter((p) => p > 0 && p < length).sort((a, b) => a - b);
}

describe('SnapshotVerifier on cut-off and padded input', () => {
  it('rejects every truncation with SNAPSHOT_INCOMPLETE, including inside the gzip trailer', async () => {
    const archive = await snapshotArchiveBuffer({ meta: { index: 2, term: 1 }, state, gzipLevel: 1 });
    const points = cutPoints(archive.length);

    const results: string[] = [];
    for (const cut of points) {
      const err = await verifyError(archive.subarray(0, cut));
      results.push(`${cut}:${err.code}:${/^unexpected end of snapshot \(truncated\?\)/.test(err.message)}`);
    }

    expect(points.length).toBeGreaterThanOrEqual(45);
    expect(results).toEqual(points.map((cut) => `${cut}:SNAPSHOT_INCOMPLETE:true`));
  });

  it('rejects empty input as incomplete, with a clear message', async () => {
    const err = await verifyError(Buffer.alloc(0));

    expect([err.code, err.message]).toEqual(['SNAPSHOT_INCOMPLETE', 'snapshot is empty (0 bytes received)']);
  });

  it.each([
    ['garbage', Buffer.from('garbage after the end')],
    ['zero bytes', Buffer.alloc(16)],
  ])('rejects %s after the end of the gzip stream', async (_label, extra) => {
    const archive = await snapshotArchiveBuffer({ meta: { index: 2, term: 1 }, state });

    const whole = await verifyError(Buffer.concat([archive, extra]));
    const separate = await verifyError([archive, extra]);

    for (const err of [whole, separate]) {
      expect(err.code).toBe('SNAPSHOT_INVALID');
      expect(err.message).toMatch(/^trailing data after the end of the gzip stream/);
    }
  });

  it('rejects input that is not gzip', async () => {
    const err = await verifyError(tarBuffer(snapshotEntries({ meta: { index: 1, term: 1 }, state })));

    expect([err.code, err.message]).toEqual(['SNAPSHOT_INVALID', 'snapshot is not gzip data (no gzip header at offset 0)']);
  });

  it('rejects gzip whose compressed data is corrupt', async () => {
    const archive = Buffer.from(await snapshotArchiveBuffer({ meta: { index: 1, term: 1 }, state }));
    archive[archive.length - 6] = (archive[archive.length - 6] ?? 0) ^ 0xff; // inside the CRC32 of the trailer

    const err = await verifyError(archive);

    expect([err.code, err.message]).toEqual(['SNAPSHOT_INVALID', 'snapshot is not valid gzip data: incorrect data check']);
  });

  it('rejects gzip of something that is not a tar archive', async () => {
    const err = await verifyError(gzipSync(Buffer.alloc(4096, 'x')));

    expect([err.code, err.message]).toEqual(['SNAPSHOT_INVALID', 'snapshot is not a valid tar archive: bad header at offset 0']);
  });

  it('treats a tar archive that stops inside state.bin as incomplete, even when gzip ended cleanly', async () => {
    const nineGiB = 9 * 1024 ** 3; // needs a base-256 size field, like Go writes for huge files
    const entries = snapshotEntries({ meta: { index: 1, term: 1 }, state: Buffer.alloc(0) });
    const tar = Buffer.concat([tarBuffer(entries.slice(0, 1)).subarray(0, 1024), tarHeader('state.bin', nineGiB), Buffer.alloc(5000, 1)]);

    const err = await verifyError(gzipBuffer(tar));

    expect([err.code, err.message]).toEqual(['SNAPSHOT_INCOMPLETE', 'unexpected end of snapshot (truncated?): tar archive stops at offset 6536']);
  });

  it('treats a tar archive without its end-of-archive marker as incomplete', async () => {
    const tar = tarBuffer(snapshotEntries({ meta: { index: 1, term: 1 }, state }));

    const err = await verifyError(gzipBuffer(tar.subarray(0, tar.length - 1024)));

    expect(err.code).toBe('SNAPSHOT_INCOMPLETE');
    expect(err.message).toMatch(/^unexpected end of snapshot \(truncated\?\): tar archive stops at offset \d+$/);
  });
});
