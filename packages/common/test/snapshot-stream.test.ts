import { createWriteStream, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { gzipBuffer, malformedArchive, sampleState, snapshotArchiveBuffer, snapshotEntries, tarBuffer, tarEnd, tarHeader, tarPadding } from '@vault-raft-backup/testkit';
import { SnapshotError, SnapshotVerifier, verifySnapshotFile } from '../src/index';
import { verify, verifyError } from './snapshot-helpers';

const dir = mkdtempSync(join(tmpdir(), 'snapshot-verifier-'));
const state = sampleState(100_000);

function rawEntry(name: string, type: string, data: Buffer): Buffer {
  return Buffer.concat([tarHeader(name, data.length, type), data, tarPadding(data.length)]);
}

describe('SnapshotVerifier in a pipeline to a file', () => {
  it('rejects a corrupt archive before the file stream finishes', async () => {
    const target = join(dir, 'corrupt.tmp');
    const dest = createWriteStream(target);
    let finished = false;
    dest.on('finish', () => {
      finished = true;
    });

    const run = pipeline(Readable.from([malformedArchive('corrupt-state')]), new SnapshotVerifier(), dest);

    await expect(run).rejects.toMatchObject({ code: 'SNAPSHOT_INVALID', message: 'hash check failed for "state.bin"' });
    expect(finished).toBe(false);
  });

  it('writes a valid archive to the file unchanged and resolves result with its info', async () => {
    const archive = await snapshotArchiveBuffer({ meta: { index: 11, term: 3 }, state });
    const target = join(dir, 'valid.tmp');
    const verifier = new SnapshotVerifier();

    await pipeline(Readable.from([archive]), verifier, createWriteStream(target));

    await expect(verifier.result).resolves.toMatchObject({ index: 11, term: 3, bytes: archive.length });
    expect(readFileSync(target).equals(archive)).toBe(true);
  });

  it('when the source fails midway, result rejects with that error', async () => {
    const source = new PassThrough();
    const verifier = new SnapshotVerifier();
    const run = pipeline(source, verifier, new PassThrough().resume());

    source.write((await snapshotArchiveBuffer({ meta: { index: 1, term: 1 }, state })).subarray(0, 1000));
    source.destroy(new Error('connection reset'));

    await expect(run).rejects.toThrow('connection reset');
    await expect(verifier.result).rejects.toThrow('connection reset');
  });
});

describe('verifySnapshotFile', () => {
  it('verifies an archive on disk', async () => {
    const path = join(dir, 'ok.snap');
    writeFileSync(path, await snapshotArchiveBuffer({ meta: { index: 77, term: 5 }, state }));

    await expect(verifySnapshotFile(path)).resolves.toMatchObject({ index: 77, term: 5, stateBytes: state.length });
  });

  it('reports a corrupt archive as SNAPSHOT_INVALID and a missing file as FILE_IO', async () => {
    const path = join(dir, 'bad.snap');
    writeFileSync(path, malformedArchive('extra'));

    await expect(verifySnapshotFile(path)).rejects.toMatchObject({ code: 'SNAPSHOT_INVALID' });
    const missing = await verifySnapshotFile(join(dir, 'nonexistent.snap')).catch((err: unknown) => err);
    expect(missing).toBeInstanceOf(SnapshotError);
    expect(missing).toMatchObject({ code: 'FILE_IO', message: `cannot read snapshot file ${join(dir, 'nonexistent.snap')}` });
    expect(existsSync(join(dir, 'nonexistent.snap'))).toBe(false);
  });
});

describe('SnapshotVerifier tar reading', () => {
  const entries = snapshotEntries({ meta: { index: 1, term: 1 }, state });
  const body = (name: string) => entries.find((e) => e.name === name)?.data ?? Buffer.alloc(0);

  it('follows pax path records and skips global pax headers', async () => {
    const pax = Buffer.from('18 path=state.bin\n');
    const tar = Buffer.concat([
      rawEntry('pax_global_header', 'g', Buffer.from('20 comment=testing\n')),
      rawEntry('meta.json', '0', body('meta.json')),
      rawEntry('PaxHeaders/state.bin', 'x', pax),
      rawEntry('renamed-by-pax', '0', state),
      rawEntry('SHA256SUMS', '0', body('SHA256SUMS')),
      rawEntry('SHA256SUMS.sealed', '0', body('SHA256SUMS.sealed')),
      tarEnd(),
    ]);

    const { info } = await verify(gzipBuffer(tar));

    expect(info.entries).toEqual(['meta.json', 'state.bin', 'SHA256SUMS', 'SHA256SUMS.sealed']);
  });

  it('reads GNU long names, so an unexpected long name is reported in full', async () => {
    const longName = `${'d/'.repeat(60)}nope`;
    const tar = Buffer.concat([rawEntry('././@LongLink', 'L', Buffer.from(`${longName}\0`)), rawEntry('truncated', '0', Buffer.alloc(1)), tarEnd()]);

    const err = await verifyError(gzipBuffer(tar));

    expect(err.message).toBe(`unexpected file "${longName.slice(0, 120)}..." in snapshot`);
  });

  it('rejects a directory entry and a header with a bad checksum', async () => {
    const directory = gzipBuffer(Buffer.concat([rawEntry('meta.json', '5', Buffer.alloc(0)), tarEnd()]));
    const header = tarHeader('meta.json', 10);
    header[0] = 0x4e; // 'N': name changes, checksum does not
    const badChecksum = gzipBuffer(Buffer.concat([header, Buffer.alloc(512), tarEnd()]));

    expect((await verifyError(directory)).message).toBe('unexpected file "meta.json" in snapshot (tar entry type "5")');
    expect((await verifyError(badChecksum)).message).toBe('snapshot is not a valid tar archive: bad header at offset 0');
  });

  it('rejects non-zero data after the end-of-archive marker', async () => {
    const tar = Buffer.concat([tarBuffer(entries), Buffer.from('tail')]);

    const err = await verifyError(gzipBuffer(tar));

    expect([err.code, err.message]).toEqual(['SNAPSHOT_INVALID', `unexpected data after the end of the tar archive at offset ${tar.length - 4}`]);
  });
});
