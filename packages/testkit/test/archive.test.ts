import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { gunzipSync } from 'node:zlib';
import { type SnapshotInfo, SnapshotVerifier, type VerifyOptions } from '@vault-raft-backup/common';
import {
  MALFORMED_KINDS,
  malformedArchive,
  metaJson,
  randomStream,
  sha256sums,
  snapshotArchiveBuffer,
  snapshotArchiveStream,
  tarBuffer,
} from '../src/index';

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function verified(source: Readable, opts?: VerifyOptions): Promise<SnapshotInfo> {
  const verifier = new SnapshotVerifier(opts);
  await pipeline(source, verifier, new Writable({ write: (_c, _e, cb) => cb() }));
  return verifier.result;
}

describe('snapshotArchiveStream', () => {
  it('streams a multi-MiB random state into an archive the verifier accepts', async () => {
    const size = 5 * 1024 * 1024 + 123;
    const stateHash = createHash('sha256').update(await collect(randomStream(size, 'big'))).digest('hex');

    const archive = await collect(snapshotArchiveStream({ meta: { index: 900, term: 4 }, state: { size, stream: () => randomStream(size, 'big') } }));
    const info = await verified(Readable.from([archive]));

    expect(info).toMatchObject({ index: 900, term: 4, stateBytes: size, entries: ['meta.json', 'state.bin', 'SHA256SUMS', 'SHA256SUMS.sealed'] });
    expect(gunzipSync(archive).toString('latin1')).toContain(`${stateHash}  state.bin\n`);
  });

  it('uses the given seal, or leaves SHA256SUMS.sealed out when sealed is false', async () => {
    const state = Buffer.from('state');
    const seen: string[] = [];
    const sealed = (sums: Buffer) => {
      seen.push(sums.toString());
      return Buffer.from('sealed!');
    };

    const withSeal = gunzipSync(await snapshotArchiveBuffer({ meta: { index: 1, term: 1 }, state, sealed }));
    const unsealed = await snapshotArchiveBuffer({ meta: { index: 1, term: 1 }, state, sealed: false });

    expect(seen).toHaveLength(1);
    expect(withSeal.toString('latin1')).toContain('sealed!');
    expect((await verified(Readable.from([unsealed]), { requireSealed: false })).entries).not.toContain('SHA256SUMS.sealed');
  });

  it('fails the archive stream when the state stream gives fewer bytes than announced', async () => {
    const stream = snapshotArchiveStream({ meta: { index: 1, term: 1 }, state: { size: 100, stream: () => Readable.from([Buffer.alloc(50)]) } });

    await expect(collect(stream)).rejects.toThrow('state stream gave 50 bytes, expected 100');
  });

  it('writes a tar that GNU tar lists with mode 0600', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'archive-'));
    const file = join(dir, 'snap.tar.gz');
    writeFileSync(file, await snapshotArchiveBuffer({ meta: { index: 1, term: 1 }, state: Buffer.alloc(700, 1) }));

    const listing = execFileSync('tar', ['-tvzf', file], { encoding: 'utf8' });

    expect(listing.trim().split('\n').map((line) => `${line.split(/\s+/)[0]} ${line.split(/\s+/).at(-1)}`)).toEqual([
      '-rw------- meta.json',
      '-rw------- state.bin',
      '-rw------- SHA256SUMS',
      '-rw------- SHA256SUMS.sealed',
    ]);
  });
});

describe('metaJson and sha256sums', () => {
  it('encode meta.json like Go does for raft.SnapshotMeta, with a trailing newline', () => {
    const meta = metaJson({ index: 10, term: 2, configurationIndex: 3, servers: [{ id: 'n1', address: '127.0.0.1:8201' }] }, 4518);

    expect(meta.toString()).toBe(
      '{"Version":1,"ID":"bolt-snapshot","Index":10,"Term":2,"Peers":"ka4xMjcuMC4wLjE6ODIwMQ==","Configuration":{"Servers":[{"Suffrage":0,"ID":"n1","Address":"127.0.0.1:8201"}]},"ConfigurationIndex":3,"Size":4518}\n',
    );
  });

  it('list lowercase hex hashes and names separated by two spaces', () => {
    expect(sha256sums({ 'meta.json': Buffer.from('') }).toString()).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  meta.json\n');
  });
});

describe('randomStream', () => {
  it('gives exactly size bytes, the same for the same seed and different for another', async () => {
    const a = await collect(randomStream(3 * 1024 * 1024 + 5, 'x'));
    const b = await collect(randomStream(3 * 1024 * 1024 + 5, 'x'));
    const c = await collect(randomStream(1000, 'y'));

    expect(a.length).toBe(3 * 1024 * 1024 + 5);
    expect(a.equals(b)).toBe(true);
    expect(c.equals(a.subarray(0, 1000))).toBe(false);
  });
});

describe('malformedArchive', () => {
  it.each(MALFORMED_KINDS.filter((k) => k !== 'spaces-meta'))('builds %s, which the verifier rejects as invalid', async (kind) => {
    await expect(verified(Readable.from([malformedArchive(kind)]))).rejects.toMatchObject({ code: 'SNAPSHOT_INVALID' });
  });

  it('builds spaces-meta, which the verifier accepts', async () => {
    await expect(verified(Readable.from([malformedArchive('spaces-meta')]))).resolves.toMatchObject({ index: 10, term: 2 });
  });

  it('tarBuffer pads entries to 512-byte blocks and ends with two zero blocks', () => {
    const tar = tarBuffer([{ name: 'a', data: Buffer.alloc(513, 1) }]);

    expect(tar.length).toBe(512 + 1024 + 1024);
    expect(tar.subarray(tar.length - 1024).every((b) => b === 0)).toBe(true);
  });
});
