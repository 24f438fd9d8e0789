import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { type S3Server, startS3Server } from '@vault-raft-backup/testkit';
import { createLogger, snapshotKey } from '@vault-raft-backup/common';
import { applyRetention } from '../src/retention';

const BUCKET = 'retention';
const snap = (prefix: string, day: number) => snapshotKey(prefix, `2026-03-${String(day).padStart(2, '0')}T04:05:06Z`);

describe('retention against a real S3-protocol server', () => {
  let server: S3Server;
  let client: S3Client;
  const lines: string[] = [];
  const log = createLogger({ component: 'test', write: (l) => lines.push(l) });

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

  it('keeps the newest N and never touches foreign names, other prefixes or the protected key', async () => {
    const ours = [1, 2, 3, 4, 5, 6].map((d) => snap('p/', d));
    const foreign = ['p/latestbackup.snap', 'p/other.snap', `${snap('p/', 1)}.bak`, snap('p/sub/', 1), snap('q/', 1), snap('', 1)];
    for (const key of [...ours, ...foreign]) await put(key);
    const deleted = await applyRetention({ client, bucket: BUCKET, prefix: 'p/', keep: 2, protect: [snap('p/', 1)], log });
    expect(deleted.sort()).toEqual([snap('p/', 2), snap('p/', 3), snap('p/', 4)]);
    const left = await server.listKeys(BUCKET);
    expect(left).toEqual(expect.arrayContaining([...foreign, snap('p/', 1), snap('p/', 5), snap('p/', 6)]));
    for (const key of deleted) expect(left).not.toContain(key);
    expect(lines.some((l) => l.includes('retention deleted old snapshots') && l.includes(snap('p/', 4)))).toBe(true);
  });

  it('deletes in batches when more than 1000 snapshots are due', async () => {
    const start = Date.UTC(2020, 0, 1);
    const keys = Array.from({ length: 1003 }, (_, i) => snapshotKey('many/', new Date(start + i * 60_000)));
    for (let i = 0; i < keys.length; i += 50) await Promise.all(keys.slice(i, i + 50).map((k) => put(k)));
    const deleted = await applyRetention({ client, bucket: BUCKET, prefix: 'many/', keep: 1, protect: [] });
    expect(deleted).toHaveLength(1002);
    expect(await server.listKeys(BUCKET, 'many/')).toEqual([keys[1002]]);
  });

  it('with keep 0 it deletes nothing', async () => {
    await put(snap('zero/', 1));
    expect(await applyRetention({ client, bucket: BUCKET, prefix: 'zero/', keep: 0, protect: [] })).toEqual([]);
    expect(await server.listKeys(BUCKET, 'zero/')).toEqual([snap('zero/', 1)]);
  });
});
