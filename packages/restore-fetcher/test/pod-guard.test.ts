import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { bundlePath, runBundle, type S3Server, snapshotArchiveBuffer, startS3Server } from '@vault-raft-backup/testkit';

const BUCKET = 'backups';
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** The variables the restore values give the init container, with the S3 keys as files. */
async function podEnv(endpoint: string, keysDir: string, snapshotDir: string, pod: Record<string, string>): Promise<Record<string, string>> {
  return {
    S3_BUCKET: BUCKET,
    S3_PREFIX: 'prod/',
    AWS_REGION: 'us-east-1',
    AWS_ENDPOINT_URL_S3: endpoint,
    S3_FORCE_PATH_STYLE: 'true',
    AWS_ACCESS_KEY_ID_FILE: join(keysDir, 'access-key-id'),
    AWS_SECRET_ACCESS_KEY_FILE: join(keysDir, 'secret-access-key'),
    SNAPSHOT_FILE: join(snapshotDir, 'vault.snap'),
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    ...pod,
  };
}

describe('restore-fetcher pod guard (bundle)', () => {
  let s3: S3Server;
  let snapshot: Buffer;
  let keys: string;
  /** A stand-in endpoint that only counts requests: a follower must send none. */
  let counter: Server;
  let requests = 0;
  let counterUrl: string;

  beforeAll(async () => {
    bundlePath('restore-fetcher');
    s3 = await startS3Server({ buckets: [BUCKET] });
    snapshot = await snapshotArchiveBuffer({ meta: { index: 42, term: 2 }, state: Buffer.alloc(50_000, 7) });
    for (const key of ['prod/vault-raft-snapshot-2026-11-29T01-00-00Z.snap', 'prod/latestbackup.snap']) {
      await s3.client().send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: snapshot, Metadata: { sha256: sha(snapshot) } }));
    }
    keys = await mkdtemp(join(tmpdir(), 'fetcher-keys-'));
    await writeFile(join(keys, 'access-key-id'), `${s3.accessKeyId}\n`);
    await writeFile(join(keys, 'secret-access-key'), `${s3.secretAccessKey}\n`);
    counter = createServer((_req, res) => {
      requests++;
      res.writeHead(500).end();
    });
    await new Promise<void>((resolve) => counter.listen(0, '127.0.0.1', resolve));
    counterUrl = `http://127.0.0.1:${(counter.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await s3?.close();
    await new Promise((resolve) => counter?.close(resolve));
  });

  it('on a follower with a missing credentials Secret, it exits 0 with one line and touches neither the files nor S3', async () => {
    const out = await mkdtemp(join(tmpdir(), 'fetcher-follower-'));
    const missingKeys = join(out, 'no-secret-mounted');

    const r = await runBundle('restore-fetcher', { env: await podEnv(counterUrl, missingKeys, out, { RESTORE_POD: 'vault-0', HOSTNAME: 'vault-1' }) });

    expect(r.code).toBe(0);
    expect(r.lines).toEqual([expect.objectContaining({ level: 'info', msg: 'not the restore pod: nothing to fetch', hostname: 'vault-1', restorePod: 'vault-0' })]);
    expect(requests).toBe(0);
    expect(await readdir(out)).toEqual([]);
  });

  it('without HOSTNAME it compares RESTORE_POD with the system host name', async () => {
    const out = await mkdtemp(join(tmpdir(), 'fetcher-follower-'));
    const notThisHost = `${hostname()}-other-0`;

    const r = await runBundle('restore-fetcher', { env: await podEnv(counterUrl, join(out, 'none'), out, { RESTORE_POD: notThisHost }) });

    expect(r.code).toBe(0);
    expect(r.lines).toEqual([expect.objectContaining({ msg: 'not the restore pod: nothing to fetch', hostname: hostname(), restorePod: notThisHost })]);
    expect(requests).toBe(0);
  });

  it('in the restore pod it reads the credential files and fetches the snapshot', async () => {
    const out = await mkdtemp(join(tmpdir(), 'fetcher-restore-pod-'));

    const r = await runBundle('restore-fetcher', { env: await podEnv(s3.endpoint, keys, out, { RESTORE_POD: 'vault-0', HOSTNAME: 'vault-0' }) });

    expect(r.code).toBe(0);
    expect(sha(await readFile(join(out, 'vault.snap')))).toBe(sha(snapshot));
    expect(r.lines.some((l) => String(l.msg).startsWith('not the restore pod'))).toBe(false);
  });

  it('in the restore pod a missing credentials file is still a configuration error (exit 2)', async () => {
    const out = await mkdtemp(join(tmpdir(), 'fetcher-restore-pod-'));

    const r = await runBundle('restore-fetcher', { env: await podEnv(s3.endpoint, join(out, 'none'), out, { RESTORE_POD: 'vault-0', HOSTNAME: 'vault-0' }) });

    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/AWS_ACCESS_KEY_ID_FILE: cannot read/);
    expect(await readdir(out)).toEqual([]);
  });

  it('without RESTORE_POD every pod fetches, so the image works alone in other pipelines', async () => {
    const out = await mkdtemp(join(tmpdir(), 'fetcher-no-guard-'));

    const r = await runBundle('restore-fetcher', { env: await podEnv(s3.endpoint, keys, out, { HOSTNAME: 'vault-1' }) });

    expect(r.code).toBe(0);
    expect(sha(await readFile(join(out, 'vault.snap')))).toBe(sha(snapshot));
  });

  it('--list ignores the guard: a follower can list', async () => {
    const out = await mkdtemp(join(tmpdir(), 'fetcher-list-'));

    const r = await runBundle('restore-fetcher', { env: await podEnv(s3.endpoint, keys, out, { RESTORE_POD: 'vault-0', HOSTNAME: 'vault-1', SNAPSHOT_FILE: '' }), args: ['--list'] });

    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^KEY\s+SIZE[\s\S]*\nprod\/vault-raft-snapshot-2026-11-29T01-00-00Z\.snap\s/);
    expect(r.lines.some((l) => String(l.msg).startsWith('not the restore pod'))).toBe(false);
  });
});
