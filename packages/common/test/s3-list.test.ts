import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { type S3Server, startS3Server } from '@vault-raft-backup/testkit';
import { listSnapshotObjects, snapshotKey, timeOfSnapshotKey } from '../src/index';

const BUCKET = 'listing';
const snap = (prefix: string, day: number) => snapshotKey(prefix, `2026-03-${String(day).padStart(2, '0')}T04:05:06Z`);

describe('snapshot keys', () => {
  it('names a snapshot by the UTC time it was taken, without colons', () => {
    expect(snapshotKey('vault/prod/', '2026-11-29T22:37:05.123+01:00')).toBe('vault/prod/vault-raft-snapshot-2026-11-29T21-37-05Z.snap');
  });

  it('reads the time back only from keys directly under the prefix', () => {
    expect(timeOfSnapshotKey('p/', 'p/vault-raft-snapshot-2026-03-01T04-05-06Z.snap')).toBe('2026-03-01T04:05:06Z');
    expect(timeOfSnapshotKey('p/', 'p/sub/vault-raft-snapshot-2026-03-01T04-05-06Z.snap')).toBeUndefined();
    expect(timeOfSnapshotKey('p/', 'p/vault-raft-snapshot-2026-03-01T04-05-06Z.snap.bak')).toBeUndefined();
    expect(timeOfSnapshotKey('p.', 'pXvault-raft-snapshot-2026-03-01T04-05-06Z.snap')).toBeUndefined();
  });
});

describe('listing against a real S3-protocol server', () => {
  let server: S3Server;
  let client: S3Client;

  beforeAll(async () => {
    server = await startS3Server({ buckets: [BUCKET] });
    client = server.client();
  });

  afterAll(async () => {
    await server?.close();
  });

  async function put(key: string, body = 'x'): Promise<void> {
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
  }

  it('lists only timestamped snapshots under the prefix, newest first, with size and time', async () => {
    for (const key of [snap('list/', 3), snap('list/', 1), snap('list/', 2), 'list/latestbackup.snap', 'list/notes.txt', snap('list/deeper/', 9)]) await put(key, 'abcd');
    const found = await listSnapshotObjects(client, BUCKET, 'list/');
    expect(found.map((s) => s.key)).toEqual([snap('list/', 3), snap('list/', 2), snap('list/', 1)]);
    expect(found[0]).toMatchObject({ bytes: 4, takenAt: '2026-03-03T04:05:06Z' });
  });
});
