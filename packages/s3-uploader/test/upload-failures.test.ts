import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { type S3Server, startS3Server } from '@vault-raft-backup/testkit';
import { objectSha, requireBundle, tempDir, upload } from './e2e-helpers';
import { type SnapshotFile, writeSidecar, writeSnapshot } from './snapshot-file';

const BUCKET = 'backups';
const OLD_LATEST = Buffer.from('the previous latest snapshot');
const SECRET = 'do-not-print-this-secret-value';

describe('s3-uploader bundle: failures leave S3 as it was', () => {
  let server: S3Server;
  let client: S3Client;
  let dir: string;
  let good: SnapshotFile;

  beforeAll(async () => {
    requireBundle();
    server = await startS3Server({ buckets: [BUCKET] });
    client = server.client();
    dir = await tempDir();
    good = await writeSnapshot(dir, 'good.snap', { stateSize: 64 * 1024, takenAt: '2026-11-29T10:00:00Z' });
  });

  afterAll(async () => {
    await server?.close();
  });

  const env = (extra: Record<string, string>): Record<string, string> => ({ ...server.env(), AWS_SECRET_ACCESS_KEY: SECRET, S3_BUCKET: BUCKET, S3_PART_SIZE: '5MiB', ...extra });

  async function withOldLatest(prefix: string): Promise<void> {
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${prefix}latestbackup.snap`, Body: OLD_LATEST }));
  }

  async function expectOnlyOldLatest(prefix: string): Promise<void> {
    expect(await server.listKeys(BUCKET, prefix)).toEqual([`${prefix}latestbackup.snap`]);
    expect(await objectSha(client, BUCKET, `${prefix}latestbackup.snap`)).toBe(createHash('sha256').update(OLD_LATEST).digest('hex'));
  }

  it('with missing and invalid settings it exits 2 listing every problem, before any S3 request', async () => {
    const connections: number[] = [];
    const trap: Server = createServer((s) => {
      connections.push(1);
      s.destroy();
    });
    await new Promise<void>((r) => trap.listen(0, '127.0.0.1', r));
    const port = (trap.address() as { port: number }).port;
    const result = await upload({ AWS_ENDPOINT_URL_S3: `http://127.0.0.1:${port}`, BACKUP_RETAIN: 'many', S3_SSE: 'rot13', S3_PART_SIZE: '1MiB' });
    await new Promise<void>((r) => trap.close(() => r()));
    expect(result.code).toBe(2);
    for (const name of ['SNAPSHOT_FILE', 'S3_BUCKET', 'BACKUP_RETAIN', 'S3_SSE', 'S3_PART_SIZE']) expect(result.stdout).toContain(`${name}:`);
    expect(connections).toEqual([]);
  });

  it('when the bucket does not exist, it exits 1 and the message names the bucket', async () => {
    const result = await upload(env({ SNAPSHOT_FILE: good.file, S3_BUCKET: 'no-such-bucket' }));
    expect(result.code).toBe(1);
    expect(result.lines.at(-1)).toMatchObject({ level: 'error', code: 'S3_NOT_FOUND', msg: expect.stringContaining('bucket no-such-bucket does not exist') });
  });

  it('when the access key is unknown, it exits 1 with access denied', async () => {
    const result = await upload(env({ SNAPSHOT_FILE: good.file, AWS_ACCESS_KEY_ID: 'UNKNOWNKEY', S3_PREFIX: 'denied/' }));
    expect(result.code).toBe(1);
    expect(result.lines.at(-1)).toMatchObject({ code: 'S3_ACCESS_DENIED', msg: expect.stringContaining('s3://backups/denied/') });
  });

  it('when the file is shorter than its sidecar says, it exits 1 before any upload and latest keeps its bytes', async () => {
    const whole = await writeSnapshot(dir, 'big.snap', { stateSize: 12 * 1024 * 1024, takenAt: '2026-11-29T11:00:00Z' });
    const file = join(dir, 'truncated.snap');
    await writeFile(file, (await readFile(whole.file)).subarray(0, 11 * 1024 * 1024));
    await writeSidecar(file, whole);
    await withOldLatest('trunc/');
    const result = await upload(env({ SNAPSHOT_FILE: file, S3_PREFIX: 'trunc/' }));
    expect(result.code).toBe(1);
    expect(result.lines.at(-1)).toMatchObject({ code: 'SNAPSHOT_INCOMPLETE' });
    await expectOnlyOldLatest('trunc/');
  });

  it('when a byte of the file changed after its sidecar was written, it exits 1 after several parts, stores no object and latest keeps its bytes', async () => {
    const whole = await writeSnapshot(dir, 'flipped-source.snap', { stateSize: 12 * 1024 * 1024, takenAt: '2026-11-29T12:00:00Z' });
    const bytes = await readFile(whole.file);
    // in the last part: the parts before it are uploaded before the hash can differ
    bytes[bytes.length - 4096] = (bytes[bytes.length - 4096] ?? 0) ^ 1;
    const file = join(dir, 'flipped.snap');
    await writeFile(file, bytes);
    await writeSidecar(file, whole);
    await withOldLatest('flipped/');
    const result = await upload(env({ SNAPSHOT_FILE: file, S3_PREFIX: 'flipped/' }));
    expect(result.code).toBe(1);
    expect(result.lines.at(-1)).toMatchObject({ code: 'SNAPSHOT_INVALID', msg: expect.stringMatching(/does not match its sidecar/) });
    expect(result.lines.some((l) => l.msg === 'uploading' && typeof l.bytes === 'number' && l.bytes >= 5 * 1024 * 1024)).toBe(true);
    await expectOnlyOldLatest('flipped/');
  });

  it('when the sidecar sha256 does not match the file, it exits 1 and stores nothing', async () => {
    const file = join(dir, 'mismatch.snap');
    await writeFile(file, await readFile(good.file));
    await writeSidecar(file, { sha256: 'a'.repeat(64), bytes: good.bytes, takenAt: '2026-11-29T13:00:00Z' });
    await withOldLatest('mismatch/');
    const result = await upload(env({ SNAPSHOT_FILE: file, S3_PREFIX: 'mismatch/' }));
    expect(result.code).toBe(1);
    expect(result.lines.at(-1)?.msg).toMatch(/does not match its sidecar/);
    await expectOnlyOldLatest('mismatch/');
  });

  it('prints the secret key in no output line, whether it succeeds or fails', async () => {
    const keyFile = join(dir, 'secret-key');
    await writeFile(keyFile, `${SECRET}\n`);
    const { AWS_SECRET_ACCESS_KEY: _secret, AWS_ACCESS_KEY_ID: _id, ...base } = env({ SNAPSHOT_FILE: good.file, S3_PREFIX: 'secret/', LOG_LEVEL: 'debug' });
    const idFile = join(dir, 'access-key');
    await writeFile(idFile, 'S3RVER');
    const fromFile = { ...base, AWS_SECRET_ACCESS_KEY_FILE: keyFile, AWS_ACCESS_KEY_ID_FILE: idFile };
    const results = [await upload(fromFile), await upload({ ...fromFile, S3_BUCKET: 'no-such-bucket' }), await upload(env({ SNAPSHOT_FILE: good.file }))];
    expect(results.map((r) => r.code)).toEqual([0, 1, 0]);
    for (const r of results) expect(`${r.stdout}\n${r.stderr}`).not.toContain(SECRET);
  });
});
