import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { S3FaultAction, S3Operation } from '@vault-raft-backup/testkit';
import { lastMsg, run } from './support/bundles';
import { tree, workDir } from './support/files';
import { type FaultCase, withFault } from './support/ledger';
import { proxiedStore } from './support/proxied-store';
import { BUCKET, expectOnlyOldLatest, OLD_LATEST, objectSha, putOldLatest, uploaderEnv } from './support/s3';
import { itLeaksNoSecret } from './support/scan-test';

/** A floor window short enough for a test; the default (60s) ends a 1 byte/s transfer the same way, later. */
const FAST_FLOOR = { S3_TRANSFER_SPEED_TIME: '2s' };
/** Main's code has no floor: without one these runs would never end, so the harness stops them. */
const RUN_LIMIT = { timeoutMs: 30_000 };
const s3 = proxiedStore('deadline', '2026-11-29T06:00:00.000Z');

beforeAll(async () => {
  const stored = await run('s3-uploader', { ...s3.server.env(), S3_BUCKET: BUCKET, S3_PREFIX: 'fetch/', SNAPSHOT_FILE: s3.snap.file });
  if (stored.code !== 0) throw new Error(`could not store the snapshot to fetch: ${stored.stdout}`);
});

const KEY = (prefix: string) => `${prefix}vault-raft-snapshot-2026-11-29T06-00-00Z.snap`;
const OLD_SHA = createHash('sha256').update(OLD_LATEST).digest('hex');

function fetchThroughProxy(dir: string, extra: Record<string, string> = {}) {
  const env = { ...s3.server.env(), AWS_ENDPOINT_URL_S3: s3.proxy.endpoint, AWS_SECRET_ACCESS_KEY: s3.secret, S3_BUCKET: BUCKET, S3_PREFIX: 'fetch/', SNAPSHOT_FILE: join(dir, 'restore.snap'), ...extra };
  return run('restore-fetcher', env, RUN_LIMIT);
}

describe('restore-fetcher against a store that never finishes the body', () => {
  it('S-GET-CRAWL: the GetObject body comes at 1 byte/s: exit 1 S3_TIMEOUT naming the object after S3_TRANSFER_SPEED_TIME, nothing written', () =>
    withFault(
      { id: 'S-GET-CRAWL', area: 'S3', fault: 'GetObject body at 1 byte/s (restore)', injection: 'proxy sends the GetObject head at once, then the body at 1 byte/s; S3_TRANSFER_SPEED_TIME=2s', expected: 'exit 1 S3_TIMEOUT naming s3://bucket/key and the speed floor; no file, no temp file' },
      async (f) => {
        const dir = workDir('get-crawl');
        s3.proxy.rules.push({ op: 'GetObject', action: { kind: 'crawl', side: 'response', headAtOnce: true } });
        const result = await fetchThroughProxy(dir, FAST_FLOOR);
        f.inject(1);
        expect(result.code).toBe(1);
        expect(result.lines.at(-1)).toMatchObject({ code: 'S3_TIMEOUT', msg: expect.stringContaining(`s3://${BUCKET}/fetch/latestbackup.snap`) });
        expect(lastMsg(result)).toContain('S3_TRANSFER_MIN_SPEED');
        f.intact('nothing written', tree(dir).length === 0);
      },
    ));

  it('S-GET-ENDLESS: GetObject answers without Content-Length with a body that never ends: exit 1 S3_FAILED before writing, nothing written', () =>
    withFault(
      { id: 'S-GET-ENDLESS', area: 'S3', fault: 'GetObject body without end (restore)', injection: 'proxy answers GetObject with the real headers but no Content-Length, and a body at 1 MiB/s that never ends (a valid archive start whose state.bin is 1 TiB: the archive check cannot end it)', expected: 'exit 1 S3_FAILED naming the key and the missing Content-Length; no file, no temp file' },
      async (f) => {
        const dir = workDir('get-endless');
        s3.proxy.rules.push({ op: 'GetObject', action: { kind: 'endless' } });
        const result = await fetchThroughProxy(dir);
        f.inject(1);
        expect(result.code).toBe(1);
        expect(result.lines.at(-1)).toMatchObject({ code: 'S3_FAILED', msg: expect.stringContaining(`s3://${BUCKET}/fetch/latestbackup.snap`) });
        expect(lastMsg(result)).toContain('Content-Length');
        f.intact('nothing written', tree(dir).length === 0);
      },
    ));
});

/** Latest may already hold the new snapshot when the crawl hits after the copy; it never holds anything else. */
async function expectLatestOldOrNew(f: FaultCase, prefix: string): Promise<void> {
  const latest = await objectSha(s3.client, `${prefix}latestbackup.snap`);
  f.intact('latest holds the old or the new verified snapshot', latest === OLD_SHA || latest === s3.snap.sha256);
}

describe('s3-uploader against a store that crawls', () => {
  const upload = (prefix: string, extra: Record<string, string>) =>
    run('s3-uploader', uploaderEnv(s3.server, s3.proxy, s3.secret, { SNAPSHOT_FILE: s3.snap.file, S3_PREFIX: prefix, S3_MAX_ATTEMPTS: '2', ...FAST_FLOOR, ...extra }), RUN_LIMIT);

  it.each([
    ['S-HEAD-CRAWL', 'HeadObject', 'HeadObject answered at 1 byte/s, status line and headers included'],
    ['S-COPY-CRAWL', 'CopyObject', 'CopyObject answered at 1 byte/s, status line and headers included'],
  ] as const)('%s: %s crawls: exit 1 S3_TIMEOUT after two attempts, the object verified, latest old or new', (id, op: S3Operation, fault) =>
    withFault(
      { id, area: 'S3', fault, injection: `proxy sends every ${op} answer at 1 byte/s; S3_TRANSFER_SPEED_TIME=2s, S3_MAX_ATTEMPTS=2`, expected: `exit 1 S3_TIMEOUT naming ${op} and the key; the snapshot object has the file's bytes; latest holds the old or the new snapshot, nothing else` },
      async (f) => {
        const prefix = `${id.toLowerCase()}/`;
        await putOldLatest(s3.client, prefix);
        const action: S3FaultAction = { kind: 'crawl', side: 'response' };
        s3.proxy.rules.push({ op, action });
        const seen = s3.proxy.requests.length;
        const result = await upload(prefix, {});
        f.inject(s3.proxy.requests.slice(seen).filter((r) => r.op === op).length);
        expect(result.code).toBe(1);
        expect(result.lines.at(-1)).toMatchObject({ code: 'S3_TIMEOUT', msg: expect.stringContaining(op) });
        expect(s3.proxy.requests.slice(seen).filter((r) => r.op === op && r.fault === 'crawl')).toHaveLength(2);
        f.intact("the snapshot object has the file's bytes", (await objectSha(s3.client, KEY(prefix))) === s3.snap.sha256);
        await expectLatestOldOrNew(f, prefix);
      },
    ));

  it('S-PART-CRAWL: the store reads part 2 at 1 byte/s: exit 1 S3_TIMEOUT, multipart upload aborted, no object, latest untouched', () =>
    withFault(
      { id: 'S-PART-CRAWL', area: 'S3', fault: 'UploadPart read at 1 byte/s', injection: 'proxy reads the body of every UploadPart of part 2 at 1 byte/s; S3_TRANSFER_SPEED_TIME=2s, S3_SOCKET_TIMEOUT=5s, S3_MAX_ATTEMPTS=2', expected: 'exit 1 S3_TIMEOUT naming the key; AbortMultipartUpload sent, no pending upload, no object, latest byte-identical' },
      async (f) => {
        const prefix = 's-part-crawl/';
        await putOldLatest(s3.client, prefix);
        s3.proxy.rules.push({ op: 'UploadPart', partNumber: 2, action: { kind: 'crawl', side: 'request' } });
        const result = await upload(prefix, { S3_SOCKET_TIMEOUT: '5s' });
        f.inject(s3.proxy.requests.filter((r) => r.op === 'UploadPart' && r.fault === 'crawl').length);
        expect(result.code).toBe(1);
        expect(result.lines.at(-1)).toMatchObject({ code: 'S3_TIMEOUT', msg: expect.stringContaining(`s3://${BUCKET}/${KEY(prefix)}`) });
        f.intact('no orphan multipart upload', s3.proxy.pendingUploads().length === 0);
        await expectOnlyOldLatest(f, s3.server, s3.client, prefix);
      },
    ));
});

describe('secrets', () => {
  itLeaksNoSecret();
});
