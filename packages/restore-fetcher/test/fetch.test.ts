import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { knownEnvNames } from '@vault-raft-backup/common';
import { bundlePath, malformedArchive, runBundle, type S3Server, snapshotArchiveBuffer, startS3Server } from '@vault-raft-backup/testkit';
import { spec } from '../src/config';

const BUCKET = 'backups';
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const keyAt = (stamp: string) => `prod/vault-raft-snapshot-${stamp}.snap`;
const CLUSTER_ID = '1c9a7d2e-0f3b-4c55-9e61-2b8f0a4d7e10';
const NEWER_VAULT = { sealType: 'shamir', recoverySeal: false, shares: 5, threshold: 3, version: '1.17.6', clusterId: CLUSTER_ID, clusterName: 'prod eu', storageType: 'raft' };

describe('restore-fetcher bundle', () => {
  let server: S3Server;
  let client: S3Client;
  let older: Buffer;
  let newer: Buffer;

  async function put(key: string, body: Buffer, metadata: Record<string, string> = { sha256: sha(body) }): Promise<void> {
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body, Metadata: metadata }));
  }

  const fetch = async (extra: Record<string, string>, args: string[] = [], node?: 'node24') => {
    const dir = await mkdtemp(join(tmpdir(), 'restore-fetcher-'));
    const file = join(dir, 'restore.snap');
    const result = await runBundle('restore-fetcher', { env: { ...server.env(), S3_BUCKET: BUCKET, S3_PREFIX: 'prod/', SNAPSHOT_FILE: file, ...extra }, args, node });
    return { ...result, dir, file, files: await readdir(dir) };
  };

  /** The metadata s3-uploader writes for a snapshot of a Shamir 3-of-5 Vault, key by key as it lands in S3. */
  const newerMetadata = () => ({
    sha256: sha(newer),
    'taken-at': '2026-11-29T01:00:00Z',
    'raft-index': '200',
    'raft-term': '3',
    'seal-type': 'shamir',
    'recovery-seal': 'false',
    'seal-shares': '5',
    'seal-threshold': '3',
    'vault-version': '1.17.6',
    'cluster-id': CLUSTER_ID,
    'cluster-name': 'prod%20eu',
    'storage-type': 'raft',
  });

  beforeAll(async () => {
    bundlePath('restore-fetcher');
    server = await startS3Server({ buckets: [BUCKET] });
    client = server.client();
    older = await snapshotArchiveBuffer({ meta: { index: 100, term: 2 }, state: Buffer.alloc(300_000, 1) });
    newer = await snapshotArchiveBuffer({ meta: { index: 200, term: 3 }, state: Buffer.alloc(300_000, 2) });
    // the older object was written before the seal facts were recorded: only these four keys
    await put(keyAt('2026-11-28T01-00-00Z'), older, { sha256: sha(older), 'taken-at': '2026-11-28T01:00:00Z', 'raft-index': '100', 'raft-term': '2' });
    await put(keyAt('2026-11-29T01-00-00Z'), newer, newerMetadata());
    await put('prod/latestbackup.snap', newer, newerMetadata());
    await put('prod/notes.txt', Buffer.from('not a snapshot'));
  });

  afterAll(async () => {
    await server?.close();
  });

  it("fetches latest: the file has the same bytes and the sidecar describes it, with the source Vault's seal facts", async () => {
    const r = await fetch({});
    expect(r.code).toBe(0);
    expect(sha(await readFile(r.file))).toBe(sha(newer));
    expect(JSON.parse(await readFile(`${r.file}.json`, 'utf8'))).toEqual({
      sha256: sha(newer),
      bytes: newer.length,
      index: 200,
      term: 3,
      takenAt: '2026-11-29T01:00:00Z',
      source: 's3://backups/prod/latestbackup.snap',
      vault: NEWER_VAULT,
    });
    expect(r.files.sort()).toEqual(['restore.snap', 'restore.snap.json']);
    expect(r.lines.at(-1)).toMatchObject({ msg: 'done', bytes: newer.length, vault: NEWER_VAULT, durationMs: expect.any(Number) });
    expect(r.lines.filter((l) => l.level === 'warn')).toEqual([]);
  });

  it('with RESTORE_KEY it fetches an older object written before seal facts were recorded, also on Node 24: its sidecar has no vault', async () => {
    const r = await fetch({ RESTORE_KEY: keyAt('2026-11-28T01-00-00Z') }, [], 'node24');
    expect(r.code).toBe(0);
    expect(sha(await readFile(r.file))).toBe(sha(older));
    expect(JSON.parse(await readFile(`${r.file}.json`, 'utf8'))).toEqual({
      sha256: sha(older),
      bytes: older.length,
      index: 100,
      term: 2,
      takenAt: '2026-11-28T01:00:00Z',
      source: `s3://backups/${keyAt('2026-11-28T01-00-00Z')}`,
    });
    expect(r.lines.find((l) => l.level === 'warn')).toMatchObject({ msg: expect.stringContaining('no seal facts'), key: keyAt('2026-11-28T01-00-00Z') });
  });

  it('--list prints the snapshots newest first with seal type, t/n and Vault version, - where unknown, and marks the one latest equals', async () => {
    const r = await fetch({ SNAPSHOT_FILE: '' }, ['--list']);
    expect(r.code).toBe(0);
    const rows = r.stdout.trim().split('\n');
    expect(rows[0]).toMatch(/^KEY\s+SIZE\s+TAKEN AT \(UTC\)\s+SEAL\s+T\/N\s+VERSION\s+LATEST$/);
    expect(rows[1]).toMatch(new RegExp(`^${keyAt('2026-11-29T01-00-00Z')}\\s+\\d+\\.\\d KiB\\s+2026-11-29T01:00:00Z\\s+shamir\\s+3/5\\s+1\\.17\\.6\\s+latest$`));
    expect(rows[2]).toMatch(new RegExp(`^${keyAt('2026-11-28T01-00-00Z')}\\s+\\d+\\.\\d KiB\\s+2026-11-28T01:00:00Z\\s+-\\s+-\\s+-$`));
    expect(rows).toHaveLength(3);
    expect(r.files).toEqual([]);
  });

  it('RESTORE_LIST=true with JSON format prints one object per snapshot, with its seal facts or null', async () => {
    const r = await fetch({ RESTORE_LIST: 'true', RESTORE_LIST_FORMAT: 'json' });
    const rows = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(rows.map((x) => [x.key, x.bytes, x.latest, x.vault])).toEqual([
      [keyAt('2026-11-29T01-00-00Z'), newer.length, true, NEWER_VAULT],
      [keyAt('2026-11-28T01-00-00Z'), older.length, false, null],
    ]);
  });

  it('when the object is missing, it exits 1 naming bucket and key and writes no file', async () => {
    const r = await fetch({ RESTORE_KEY: 'prod/vault-raft-snapshot-2020-01-01T00-00-00Z.snap' });
    expect(r.code).toBe(1);
    expect(r.lines.at(-1)).toMatchObject({ code: 'S3_NOT_FOUND', msg: expect.stringContaining('s3://backups/prod/vault-raft-snapshot-2020-01-01T00-00-00Z.snap') });
    expect(r.files).toEqual([]);
  });

  it('when the sha256 metadata does not match the bytes, it exits 1 and writes no file', async () => {
    await put('prod/wrong-sha.snap', newer, { sha256: sha(older) });
    const r = await fetch({ RESTORE_KEY: 'prod/wrong-sha.snap' });
    expect(r.code).toBe(1);
    expect(r.lines.at(-1)).toMatchObject({ code: 'S3_VERIFY_FAILED', msg: expect.stringContaining('s3://backups/prod/wrong-sha.snap') });
    expect(r.files).toEqual([]);
  });

  it('when the object is a corrupt archive, it exits 1 and writes no file', async () => {
    await put('prod/corrupt.snap', malformedArchive('corrupt-state'));
    const r = await fetch({ RESTORE_KEY: 'prod/corrupt.snap' });
    expect(r.code).toBe(1);
    expect(r.lines.at(-1)).toMatchObject({ code: 'SNAPSHOT_INVALID', msg: expect.stringContaining('s3://backups/prod/corrupt.snap') });
    expect(r.files).toEqual([]);
  });

  it('without sha256 metadata it refuses, unless RESTORE_ALLOW_MISSING_CHECKSUM=true', async () => {
    await put('prod/no-meta.snap', older, {});
    const refused = await fetch({ RESTORE_KEY: 'prod/no-meta.snap' });
    expect(refused.code).toBe(1);
    expect(refused.files).toEqual([]);
    const allowed = await fetch({ RESTORE_KEY: 'prod/no-meta.snap', RESTORE_ALLOW_MISSING_CHECKSUM: 'true' });
    expect(allowed.code).toBe(0);
    expect(sha(await readFile(allowed.file))).toBe(sha(older));
  });

  it('removes temp files a killed earlier run left behind', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'restore-fetcher-'));
    await writeFile(join(dir, '.restore.snap.partial-deadbeef'), 'half');
    const r = await runBundle('restore-fetcher', { env: { ...server.env(), S3_BUCKET: BUCKET, S3_PREFIX: 'prod/', SNAPSHOT_FILE: join(dir, 'restore.snap') } });
    expect(r.code).toBe(0);
    expect((await readdir(dir)).sort()).toEqual(['restore.snap', 'restore.snap.json']);
  });

  it('without a bucket and file it exits 2 listing both; --help lists every variable', async () => {
    const bad = await runBundle('restore-fetcher', { env: { AWS_REGION: 'eu-west-1' } });
    expect(bad.code).toBe(2);
    expect(bad.stdout).toMatch(/S3_BUCKET: is required[\s\S]*SNAPSHOT_FILE: is required/);
    const help = await runBundle('restore-fetcher', { args: ['--help'] });
    expect(help.code).toBe(0);
    for (const name of knownEnvNames(spec)) expect(help.stdout).toContain(name);
  });
});
