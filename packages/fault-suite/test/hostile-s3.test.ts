import { join } from 'node:path';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { type S3Server, startS3Server } from '@vault-raft-backup/testkit';
import { lastMsg, run } from './support/bundles';
import { fileSha, removeWorkDirs, tree, workDir } from './support/files';
import { type HostileS3, startHostileS3 } from './support/hostile-s3';
import { keepSecret, withFault } from './support/ledger';
import { BUCKET, objectSha, type SnapshotFile, writeSnapshotFile } from './support/s3';
import { itLeaksNoSecret } from './support/scan-test';

const STAMP = '2026-11-29T04-00-00Z';
const OLDER = ['2026-11-01T00-00-00Z', '2026-11-02T00-00-00Z'];
const key = (prefix: string, stamp: string) => `${prefix}vault-raft-snapshot-${stamp}.snap`;
let server: S3Server;
let client: S3Client;
let snap: SnapshotFile;
const hostile: HostileS3[] = [];

beforeAll(async () => {
  server = await startS3Server({ buckets: [BUCKET] });
  client = server.client();
  snap = await writeSnapshotFile(workDir('hostile-s3'), 'vault.snap', 256 * 1024, '2026-11-29T04:00:00.000Z');
});
afterAll(async () => {
  for (const h of hostile.splice(0)) await h.close();
  await server?.close();
  removeWorkDirs();
});

async function hostileStore(options: Parameters<typeof startHostileS3>[1]): Promise<HostileS3> {
  const h = await startHostileS3(server.endpoint, options);
  hostile.push(h);
  return h;
}

async function putOlder(prefix: string): Promise<void> {
  for (const stamp of OLDER) await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key(prefix, stamp), Body: `older ${stamp}` }));
}

const upload = (endpoint: string, prefix: string, extra: Record<string, string> = {}) =>
  run('s3-uploader', { ...server.env(), AWS_ENDPOINT_URL_S3: endpoint, S3_BUCKET: BUCKET, S3_PREFIX: prefix, SNAPSHOT_FILE: snap.file, ...extra }, { timeoutMs: 30_000 });

describe('a store that pages in a loop', () => {
  it('S-LIST-LOOP: restore-fetcher --list gets the same continuation token forever: exit 1 S3_FAILED after two pages, not a hang', () =>
    withFault(
      { id: 'S-LIST-LOOP', area: 'S3', fault: 'ListObjectsV2 pages in a loop', injection: 'a hostile store answers every ListObjectsV2 with IsTruncated=true and the same NextContinuationToken', expected: 'exit 1 S3_FAILED "pages in a loop" after the second page; no output rows, memory bounded' },
      async (f) => {
        const h = await hostileStore({ loopListing: true });
        const result = await run('restore-fetcher', { ...server.env(), AWS_ENDPOINT_URL_S3: h.endpoint, S3_BUCKET: BUCKET, S3_PREFIX: 'loop/' }, { args: ['--list'], timeoutMs: 30_000 });
        f.inject(h.listPages());
        expect(result.code).toBe(1);
        expect(result.lines.at(-1)).toMatchObject({ code: 'S3_FAILED' });
        expect(lastMsg(result)).toContain(`ListObjectsV2 of s3://${BUCKET}/loop/ failed: the store returned a continuation token it had already returned, after 2 page(s)`);
        expect(h.listPages()).toBe(2);
      },
    ));

  it('S-RETENTION-LOOP: retention lists through the looping store: exit 1 S3_FAILED, the new snapshot and latest stored, nothing deleted', () =>
    withFault(
      { id: 'S-RETENTION-LOOP', area: 'Retention', fault: 'retention listing pages in a loop', injection: 'the same hostile store in front of s3rver, forwarding everything but ListObjectsV2; BACKUP_RETAIN=1 with two older snapshots', expected: 'exit 1 S3_FAILED "pages in a loop"; the snapshot and latest stored and verified; both older snapshots still there' },
      async (f) => {
        const prefix = 'retention-loop/';
        await putOlder(prefix);
        const h = await hostileStore({ loopListing: true });
        const result = await upload(h.endpoint, prefix, { BACKUP_RETAIN: '1' });
        f.inject(h.listPages());
        expect(result.code).toBe(1);
        expect(lastMsg(result)).toContain('it pages in a loop');
        f.intact('the new snapshot stored', (await objectSha(client, key(prefix, STAMP))) === snap.sha256);
        f.intact('latest stored', (await objectSha(client, `${prefix}latestbackup.snap`)) === snap.sha256);
        f.intact('no older snapshot deleted', (await server.listKeys(BUCKET, prefix)).length === 4);
      },
    ));
});

describe('S3_LATEST_KEY on the restore side', () => {
  it('S-LATEST-RENAMED: with S3_LATEST_KEY=current.snap, restore-fetcher fetches and --list marks the object s3-uploader wrote, not a stale latestbackup.snap', () =>
    withFault(
      { id: 'S-LATEST-RENAMED', area: 'S3', fault: 'latest renamed by S3_LATEST_KEY', injection: 'upload with S3_LATEST_KEY=current.snap next to a stale latestbackup.snap; restore-fetcher with the same S3_LATEST_KEY, then without RESTORE_KEY and S3_LATEST_KEY set empty', expected: 'exit 0, the fetched file has the new snapshot\'s sha256, --list marks the new key; latest disabled and no RESTORE_KEY: exit 2 naming RESTORE_KEY' },
      async (f) => {
        const prefix = 'renamed/';
        await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${prefix}latestbackup.snap`, Body: 'a stale latest from before the rename' }));
        expect((await upload(server.endpoint, prefix, { S3_LATEST_KEY: 'current.snap' })).code).toBe(0);
        f.inject();
        const dir = workDir('renamed');
        const env = { ...server.env(), S3_BUCKET: BUCKET, S3_PREFIX: prefix, S3_LATEST_KEY: 'current.snap' };
        const fetched = await run('restore-fetcher', { ...env, SNAPSHOT_FILE: join(dir, 'restore.snap') });
        expect(fetched.code).toBe(0);
        f.intact('the fetched snapshot is the one latest names', fileSha(join(dir, 'restore.snap')) === snap.sha256);
        const listed = await run('restore-fetcher', { ...env, RESTORE_LIST_FORMAT: 'json' }, { args: ['--list'] });
        const rows = listed.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { key: string; latest: boolean });
        expect(rows.filter((r) => r.latest).map((r) => r.key)).toEqual([key(prefix, STAMP)]);
        const disabled = await run('restore-fetcher', { ...env, S3_LATEST_KEY: '', SNAPSHOT_FILE: join(dir, 'other.snap') });
        expect({ code: disabled.code, error: disabled.lines.at(-1)?.code }).toEqual({ code: 2, error: 'CONFIG_INVALID' });
        expect(lastMsg(disabled)).toContain('RESTORE_KEY: is required when S3_LATEST_KEY is set empty');
        f.intact('nothing else written', tree(dir).join() === 'restore.snap,restore.snap.json');
      },
    ));
});

describe('a store that echoes request headers in its errors', () => {
  it.each(['s3-uploader', 'restore-fetcher'] as const)('SEC-SESSION-TOKEN %s: the AWS_SESSION_TOKEN the SDK sends is echoed back in an error: exit 1 S3_ACCESS_DENIED, the token in no output', (bundle) =>
    withFault(
      { id: `SEC-SESSION-TOKEN ${bundle}`, area: 'Security', fault: 'session token echoed by the store', injection: 'a hostile store answers every request 403 AccessDenied with every request header (x-amz-security-token included) in the message; static keys plus AWS_SESSION_TOKEN', expected: 'exit 1 S3_ACCESS_DENIED; the session token in no log line' },
      async (f) => {
        const sessionToken = `FwoGZXIvYXdzEXAMPLE-session-${bundle}-${process.pid}-${Date.now()}`;
        keepSecret('AWS session token', sessionToken);
        const h = await hostileStore({ echoHeaders: true });
        const dir = workDir('echo');
        const env = { ...server.env(), AWS_ENDPOINT_URL_S3: h.endpoint, AWS_SESSION_TOKEN: sessionToken, S3_BUCKET: BUCKET, S3_PREFIX: 'echo/', S3_MAX_ATTEMPTS: '1' };
        const result = await run(bundle, bundle === 's3-uploader' ? { ...env, SNAPSHOT_FILE: snap.file } : { ...env, SNAPSHOT_FILE: join(dir, 'restore.snap') });
        f.inject(h.echoed());
        expect(h.echoed()).toBeGreaterThan(0);
        expect({ code: result.code, error: result.lines.at(-1)?.code }).toEqual({ code: 1, error: 'S3_ACCESS_DENIED' });
        f.intact('the session token printed nowhere', !`${result.stdout}${result.stderr}`.includes(sessionToken));
        f.intact('no file written', tree(dir).length === 0);
      },
    ));
});

describe('secrets', () => {
  itLeaksNoSecret();
});
