import { createHash } from 'node:crypto';
import { gzipBuffer, MALFORMED_KINDS, malformedArchive, type MalformedKind, sampleState, snapshotArchiveBuffer, snapshotEntries, tarBuffer } from '@vault-raft-backup/testkit';
import { chunked, verify, verifyError } from './snapshot-helpers';

const state = sampleState(70_000);

function withMeta(meta: Record<string, unknown>): Buffer {
  const data = Buffer.from(`${JSON.stringify(meta)}\n`);
  const entries = snapshotEntries({ meta: { index: 1, term: 1 }, state: Buffer.from('abc') });
  const sums = Buffer.from(
    `${createHash('sha256').update(data).digest('hex')}  meta.json\n${createHash('sha256').update('abc').digest('hex')}  state.bin\n`,
  );
  return gzipBuffer(
    tarBuffer(entries.map((e) => (e.name === 'meta.json' ? { name: e.name, data } : e.name === 'SHA256SUMS' ? { name: e.name, data: sums } : e))),
  );
}

describe('SnapshotVerifier on a valid archive', () => {
  it('reports what the snapshot is and passes the bytes through unchanged', async () => {
    const archive = await snapshotArchiveBuffer({ meta: { index: 4321, term: 7, configurationIndex: 12 }, state });

    const { info, output } = await verify(archive);

    expect(output.equals(archive)).toBe(true);
    expect(info).toEqual({
      sha256: createHash('sha256').update(archive).digest('hex'),
      bytes: archive.length,
      index: 4321,
      term: 7,
      version: 1,
      id: 'bolt-snapshot',
      stateBytes: state.length,
      configurationIndex: 12,
      entries: ['meta.json', 'state.bin', 'SHA256SUMS', 'SHA256SUMS.sealed'],
    });
  });

  it.each([1, 7, 511, 512, 513, 4096])('accepts the archive delivered in %i-byte chunks', async (size) => {
    const archive = await snapshotArchiveBuffer({ meta: { index: 9, term: 2 }, state: sampleState(3000), gzipLevel: 0 });

    const { info, output } = await verify(chunked(archive, size));

    expect(info.index).toBe(9);
    expect(output.equals(archive)).toBe(true);
  });

  it('accepts a snapshot whose gzip stream has several members, as Go readers do', async () => {
    const tar = tarBuffer(snapshotEntries({ meta: { index: 3, term: 1 }, state }));
    const archive = Buffer.concat([gzipBuffer(tar.subarray(0, 10_000)), gzipBuffer(tar.subarray(10_000))]);

    await expect(verify(archive)).resolves.toMatchObject({ info: { index: 3, stateBytes: state.length } });
  });

  it('when SHA256SUMS.sealed is missing, it accepts only with requireSealed false', async () => {
    const archive = await snapshotArchiveBuffer({ meta: { index: 5, term: 1 }, state, sealed: false });

    const err = await verifyError(archive);
    const { info } = await verify(archive, { requireSealed: false });

    expect(err.code).toBe('SNAPSHOT_INVALID');
    expect(err.message).toBe('SHA256SUMS.sealed missing from snapshot (Vault always writes it)');
    expect(info.entries).toEqual(['meta.json', 'state.bin', 'SHA256SUMS']);
  });

  it('rejects an empty SHA256SUMS.sealed', async () => {
    const archive = await snapshotArchiveBuffer({ meta: { index: 5, term: 1 }, state, sealed: () => Buffer.alloc(0) });

    const err = await verifyError(archive);

    expect([err.code, err.message]).toEqual(['SNAPSHOT_INVALID', 'SHA256SUMS.sealed in snapshot is empty']);
  });
});

describe('SnapshotVerifier on malformed archives like the raft library testdata', () => {
  const expected: Record<Exclude<MalformedKind, 'spaces-meta'>, string> = {
    empty: 'snapshot archive has no entries',
    extra: 'unexpected file "nope" in snapshot',
    'missing-meta': 'hash check failed for "meta.json": file missing from snapshot',
    'missing-state': 'hash check failed for "state.bin": file missing from snapshot',
    'missing-sha': 'SHA256SUMS file missing from snapshot',
    'corrupt-meta': 'hash check failed for "meta.json"',
    'corrupt-state': 'hash check failed for "state.bin"',
    'corrupt-sha': 'SHA256SUMS lists unexpected file "nope" (list missing hash for it)',
  };

  it.each(Object.entries(expected))('rejects %s with SNAPSHOT_INVALID: %s', async (kind, message) => {
    const err = await verifyError(malformedArchive(kind as MalformedKind));

    expect([err.code, err.message]).toEqual(['SNAPSHOT_INVALID', message]);
  });

  it('accepts spaces-meta (padded meta.json, SHA256SUMS before state.bin)', async () => {
    const { info } = await verify(malformedArchive('spaces-meta'));

    expect(info).toMatchObject({ index: 10, term: 2, entries: ['meta.json', 'SHA256SUMS', 'state.bin', 'SHA256SUMS.sealed'] });
  });

  it('covers every malformed kind the builders offer', () => {
    expect([...Object.keys(expected), 'spaces-meta'].sort()).toEqual([...MALFORMED_KINDS].sort());
  });
});

describe('SnapshotVerifier checks meta.json and SHA256SUMS', () => {
  it('rejects a meta.json larger than 8192 bytes without buffering it', async () => {
    const huge = { name: 'meta.json', data: Buffer.alloc(9000, 0x20) };
    const archive = gzipBuffer(tarBuffer([huge, ...snapshotEntries({ meta: { index: 1, term: 1 }, state }).slice(1)]));

    const err = await verifyError(archive);

    expect([err.code, err.message]).toEqual(['SNAPSHOT_INVALID', 'meta.json in snapshot is 9000 bytes, more than the 8192 allowed']);
  });

  it.each([
    [{ Version: 2, Index: 1, Term: 1, Size: 3 }, 'meta.json has unsupported snapshot Version 2 (expected 1)'],
    [{ Version: 1, Index: 1, Term: 1, Size: 4 }, 'meta.json Size 4 does not match state.bin (3 bytes)'],
    [{ Version: 1, Term: 1, Size: 3 }, 'meta.json field Index is missing or not a non-negative integer'],
    [{ Version: 1, Index: 1, Term: -1, Size: 3 }, 'meta.json field Term is missing or not a non-negative integer'],
  ])('rejects meta.json %j: %s', async (meta, message) => {
    const err = await verifyError(withMeta(meta));

    expect([err.code, err.message]).toEqual(['SNAPSHOT_INVALID', message]);
  });

  it('rejects a meta.json that is not JSON even when its hash matches', async () => {
    const data = Buffer.from('not json');
    const sums = Buffer.from(`${createHash('sha256').update(data).digest('hex')}  meta.json\n${createHash('sha256').update('abc').digest('hex')}  state.bin\n`);
    const archive = gzipBuffer(tarBuffer([{ name: 'meta.json', data }, { name: 'state.bin', data: Buffer.from('abc') }, { name: 'SHA256SUMS', data: sums }]));

    const err = await verifyError(archive, { requireSealed: false });

    expect([err.code, err.message]).toEqual(['SNAPSHOT_INVALID', 'meta.json in snapshot is not a JSON object']);
  });

  it('rejects SHA256SUMS that lists only one of the two files', async () => {
    const entries = snapshotEntries({ meta: { index: 1, term: 1 }, state });
    const sums = Buffer.from(`${createHash('sha256').update(entries[0]?.data ?? '').digest('hex')}  meta.json\n`);
    const archive = gzipBuffer(tarBuffer(entries.map((e) => (e.name === 'SHA256SUMS' ? { name: e.name, data: sums } : e))));

    const err = await verifyError(archive);

    expect([err.code, err.message]).toEqual(['SNAPSHOT_INVALID', 'SHA256SUMS has no hash for "state.bin"']);
  });

  it('rejects a malformed SHA256SUMS line and a duplicate entry', async () => {
    const entries = snapshotEntries({ meta: { index: 1, term: 1 }, state });
    const badSums = gzipBuffer(tarBuffer(entries.map((e) => (e.name === 'SHA256SUMS' ? { name: e.name, data: Buffer.from('xyz meta.json\n') } : e))));
    const duplicate = gzipBuffer(tarBuffer([...entries, entries[0] ?? { name: 'meta.json', data: Buffer.alloc(0) }]));

    expect((await verifyError(badSums)).message).toBe('SHA256SUMS line 1 is malformed');
    expect((await verifyError(duplicate)).message).toBe('duplicate file "meta.json" in snapshot');
  });
});
