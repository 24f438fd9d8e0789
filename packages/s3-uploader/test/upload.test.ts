import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { knownEnvNames, objectFactsOf, type SourceVault } from '@vault-raft-backup/common';
import { runBundle, type S3Server, startS3Server } from '@vault-raft-backup/testkit';
import { spec } from '../src/config';
import { messages, metadataOf, objectSha, requireBundle, tempDir, upload } from './e2e-helpers';
import { type SnapshotFile, writeSnapshot } from './snapshot-file';

const BUCKET = 'backups';
const KEY_OF = (prefix: string, stamp: string) => `${prefix}vault-raft-snapshot-${stamp}.snap`;

describe('s3-uploader bundle: successful uploads', () => {
  let server: S3Server;
  let client: S3Client;
  let dir: string;
  let snap: SnapshotFile;

  beforeAll(async () => {
    requireBundle();
    server = await startS3Server({ buckets: [BUCKET] });
    client = server.client();
    dir = await tempDir();
    snap = await writeSnapshot(dir, 'vault.snap', { stateSize: 12 * 1024 * 1024, takenAt: '2026-11-29T21:37:05.120Z' });
  });

  afterAll(async () => {
    await server?.close();
  });

  const env = (extra: Record<string, string>) => ({ ...server.env(), SNAPSHOT_FILE: snap.file, S3_BUCKET: BUCKET, S3_PART_SIZE: '5MiB', ...extra });

  it('uploads in parts, stores the sha256 in metadata and makes latest an identical copy', async () => {
    const result = await upload(env({ S3_PREFIX: 'plain/' }));
    expect(result.code).toBe(0);
    const key = KEY_OF('plain/', '2026-11-29T21-37-05Z');
    expect(await server.listKeys(BUCKET, 'plain/')).toEqual([key, 'plain/latestbackup.snap'].sort());
    // a sidecar without seal facts (as written before they were recorded) uploads as before: exactly these four keys
    expect(await metadataOf(client, BUCKET, key)).toEqual({ sha256: snap.sha256, 'taken-at': snap.takenAt, 'raft-index': '42', 'raft-term': '3' });
    expect(await objectSha(client, BUCKET, key)).toBe(snap.sha256);
    expect(await objectSha(client, BUCKET, 'plain/latestbackup.snap')).toBe(snap.sha256);
    expect(messages(result)).toEqual(expect.arrayContaining(['upload starting', 'uploaded', 'verified', 'latest copied', 'done']));
    expect(result.lines.find((l) => l.msg === 'done')).toMatchObject({ key, bytes: snap.bytes, durationMs: expect.any(Number) });
  });

  it("stores the sidecar's seal facts as metadata on the object and on latest, and they read back unchanged", async () => {
    const vault: SourceVault = { sealType: 'awskms', recoverySeal: true, shares: 5, threshold: 3, version: '1.17.6', clusterId: '1c9a7d2e-0f3b-4c55-9e61-2b8f0a4d7e10', clusterName: 'prod eu/ü', storageType: 'raft' };
    const facts = await writeSnapshot(dir, 'facts.snap', { stateSize: 256 * 1024, takenAt: '2026-11-30T02:00:00.000Z', vault });

    const result = await upload(env({ SNAPSHOT_FILE: facts.file, S3_PREFIX: 'facts/' }));

    expect(result.code).toBe(0);
    const expected = {
      sha256: facts.sha256,
      'taken-at': facts.takenAt,
      'raft-index': '42',
      'raft-term': '3',
      'seal-type': 'awskms',
      'recovery-seal': 'true',
      'seal-shares': '5',
      'seal-threshold': '3',
      'vault-version': '1.17.6',
      'cluster-id': vault.clusterId,
      'cluster-name': 'prod%20eu%2F%C3%BC',
      'storage-type': 'raft',
    };
    for (const key of [KEY_OF('facts/', '2026-11-30T02-00-00Z'), 'facts/latestbackup.snap']) {
      const metadata = await metadataOf(client, BUCKET, key);
      expect(metadata).toEqual(expected);
      expect(objectFactsOf(metadata).vault).toEqual(vault);
    }
  });

  it('runs the same way on the Node 24 the images use', async () => {
    const result = await upload(env({ S3_PREFIX: 'node24/' }), 'node24');
    expect(result.code).toBe(0);
    expect(await objectSha(client, BUCKET, 'node24/latestbackup.snap')).toBe(snap.sha256);
  });

  it('a retried upload of the same snapshot gets the same key', async () => {
    expect((await upload(env({ S3_PREFIX: 'retry/' }))).code).toBe(0);
    expect((await upload(env({ S3_PREFIX: 'retry/' }))).code).toBe(0);
    expect(await server.listKeys(BUCKET, 'retry/')).toEqual(['retry/latestbackup.snap', KEY_OF('retry/', '2026-11-29T21-37-05Z')]);
  });

  it('with S3_LATEST_KEY set empty, it uploads the snapshot and writes no latest', async () => {
    const result = await upload(env({ S3_PREFIX: 'nolatest/', S3_LATEST_KEY: '' }));
    expect(result.code).toBe(0);
    expect(await server.listKeys(BUCKET, 'nolatest/')).toEqual([KEY_OF('nolatest/', '2026-11-29T21-37-05Z')]);
    expect(messages(result)).not.toContain('latest copied');
  });

  it('with a custom latest name and AES256, latest gets that name', async () => {
    const result = await upload(env({ S3_PREFIX: 'named/', S3_LATEST_KEY: 'current.snap', S3_SSE: 'AES256', S3_STORAGE_CLASS: 'STANDARD' }));
    expect(result.code).toBe(0);
    expect(await objectSha(client, BUCKET, 'named/current.snap')).toBe(snap.sha256);
  });

  it('with BACKUP_RETAIN=2 it keeps the two newest snapshots, the new one included, and nothing foreign is touched', async () => {
    const old = ['2026-11-01T00-00-00Z', '2026-11-02T00-00-00Z', '2026-11-03T00-00-00Z'].map((s) => KEY_OF('ret/', s));
    const foreign = ['ret/notes.txt', 'ret/latestbackup.snap.bak', KEY_OF('ret/nested/', '2026-01-01T00-00-00Z'), KEY_OF('other/', '2026-01-01T00-00-00Z')];
    for (const Key of [...old, ...foreign]) await client.send(new PutObjectCommand({ Bucket: BUCKET, Key, Body: 'old' }));
    const result = await upload(env({ S3_PREFIX: 'ret/', BACKUP_RETAIN: '2' }));
    expect(result.code).toBe(0);
    const left = await server.listKeys(BUCKET);
    expect(left).toEqual(expect.arrayContaining([KEY_OF('ret/', '2026-11-29T21-37-05Z'), old[2], 'ret/latestbackup.snap', ...foreign]));
    expect(left).not.toContain(old[0]);
    expect(left).not.toContain(old[1]);
    expect(result.lines.find((l) => l.msg === 'retention applied')).toMatchObject({ deletedCount: 2 });
  });

  it('--help exits 0 and lists every variable', async () => {
    const result = await runBundle('s3-uploader', { args: ['--help'], env: {} });
    expect(result.code).toBe(0);
    for (const name of knownEnvNames(spec)) expect(result.stdout).toContain(name);
  });
});
