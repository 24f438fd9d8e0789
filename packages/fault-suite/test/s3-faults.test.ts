import { PutObjectCommand } from '@aws-sdk/client-s3';
import { lastMsg, run } from './support/bundles';
import { type FaultCase, keepSecret, withFault } from './support/ledger';
import { proxiedStore } from './support/proxied-store';
import { BUCKET, expectOnlyOldLatest, objectSha, putOldLatest, uploaderEnv } from './support/s3';
import { itLeaksNoSecret } from './support/scan-test';
import { freePort } from './support/snapshots';

const s3 = proxiedStore('s3', '2026-11-29T04:00:00.000Z');

const upload = (prefix: string, extra: Record<string, string> = {}) => run('s3-uploader', uploaderEnv(s3.server, s3.proxy, s3.secret, { SNAPSHOT_FILE: s3.snap.file, S3_PREFIX: prefix, ...extra }));
const KEY = (prefix: string) => `${prefix}vault-raft-snapshot-2026-11-29T04-00-00Z.snap`;

async function expectUploaded(f: FaultCase, prefix: string): Promise<void> {
  f.intact('snapshot object has the file\'s bytes', (await objectSha(s3.client, KEY(prefix))) === s3.snap.sha256);
  f.intact('latest has the file\'s bytes', (await objectSha(s3.client, `${prefix}latestbackup.snap`)) === s3.snap.sha256);
}

describe('transient failures are retried', () => {
  it.each([
    ['S-SLOWDOWN', '503 SlowDown on two parts', { kind: 'error', status: 503, code: 'SlowDown' } as const],
    ['S-RESET', 'connection reset during two parts', { kind: 'reset', afterBodyBytes: 64 * 1024 } as const],
  ])('%s: %s is retried by the SDK: exit 0, object and latest verified', (id, fault, action) =>
    withFault(
      { id, area: 'S3', fault, injection: `proxy rule {op: UploadPart, times: 2, action: ${action.kind}}`, expected: 'exit 0, stored object and latest have the snapshot\'s sha256' },
      async (f) => {
        const prefix = `${id.toLowerCase()}/`;
        await putOldLatest(s3.client, prefix);
        s3.proxy.rules.push({ op: 'UploadPart', times: 2, action });
        const before = s3.proxy.faultsInjected();
        const result = await upload(prefix);
        f.inject(s3.proxy.faultsInjected() - before);
        expect(s3.proxy.faultsInjected() - before).toBe(2);
        expect(result.code).toBe(0);
        await expectUploaded(f, prefix);
      },
    ));
});

describe('permanent failures leave S3 as it was', () => {
  it('S-PART-FAILS: a part that fails for good aborts the multipart upload: exit 1, no object, no orphan parts, latest untouched', () =>
    withFault(
      { id: 'S-PART-FAILS', area: 'S3', fault: 'a part fails for good', injection: 'proxy answers 500 InternalError to every UploadPart of part 2', expected: 'exit 1 S3_FAILED naming the key, AbortMultipartUpload sent, no pending upload, no object, latest byte-identical' },
      async (f) => {
        const prefix = 'part-fails/';
        await putOldLatest(s3.client, prefix);
        s3.proxy.rules.push({ op: 'UploadPart', partNumber: 2, action: { kind: 'error', status: 500, code: 'InternalError' } });
        const before = s3.proxy.faultsInjected();
        const result = await upload(prefix, { S3_MAX_ATTEMPTS: '2' });
        f.inject(s3.proxy.faultsInjected() - before);
        expect(result.code).toBe(1);
        expect(result.lines.at(-1)).toMatchObject({ code: 'S3_FAILED', msg: expect.stringContaining(`s3://${BUCKET}/${KEY(prefix)}`) });
        expect(s3.proxy.requests.some((r) => r.op === 'AbortMultipartUpload' && r.key === KEY(prefix) && r.status === 204)).toBe(true);
        f.intact('no orphan multipart upload', s3.proxy.pendingUploads().length === 0);
        await expectOnlyOldLatest(f, s3.server, s3.client, prefix);
      },
    ));

  it('S-WRONG-SECRET: a wrong secret key is refused (SignatureDoesNotMatch): exit 1 S3_ACCESS_DENIED, nothing stored, no secret printed', () =>
    withFault(
      { id: 'S-WRONG-SECRET', area: 'S3', fault: 'wrong credentials (secret key)', injection: 'proxy checks SigV4 signatures; AWS_SECRET_ACCESS_KEY is another value', expected: 'exit 1 S3_ACCESS_DENIED (SignatureDoesNotMatch), nothing stored, latest untouched, neither key printed' },
      async (f) => {
        const prefix = 'wrong-secret/';
        await putOldLatest(s3.client, prefix);
        const wrong = `wrong-${s3.secret}`;
        keepSecret('AWS secret key (wrong)', wrong);
        f.inject();
        const result = await run('s3-uploader', uploaderEnv(s3.server, s3.proxy, wrong, { SNAPSHOT_FILE: s3.snap.file, S3_PREFIX: prefix }));
        expect(result.code).toBe(1);
        expect(result.lines.at(-1)).toMatchObject({ code: 'S3_ACCESS_DENIED', msg: expect.stringContaining('SignatureDoesNotMatch') });
        await expectOnlyOldLatest(f, s3.server, s3.client, prefix);
      },
    ));

  it('S-UNKNOWN-KEY: an unknown access key ID: exit 1 S3_ACCESS_DENIED, nothing stored', () =>
    withFault(
      { id: 'S-UNKNOWN-KEY', area: 'S3', fault: 'wrong credentials (access key ID)', injection: 'AWS_ACCESS_KEY_ID unknown to s3rver', expected: 'exit 1 S3_ACCESS_DENIED, nothing stored, latest untouched' },
      async (f) => {
        const prefix = 'unknown-key/';
        await putOldLatest(s3.client, prefix);
        f.inject();
        const result = await upload(prefix, { AWS_ACCESS_KEY_ID: 'AKIAUNKNOWNKEY000000' });
        expect(result.code).toBe(1);
        expect(result.lines.at(-1)).toMatchObject({ code: 'S3_ACCESS_DENIED' });
        await expectOnlyOldLatest(f, s3.server, s3.client, prefix);
      },
    ));

  it('S-NO-BUCKET: a missing bucket: exit 1 S3_NOT_FOUND naming the bucket', () =>
    withFault(
      { id: 'S-NO-BUCKET', area: 'S3', fault: 'missing bucket', injection: 'S3_BUCKET=no-such-bucket', expected: 'exit 1 S3_NOT_FOUND "bucket no-such-bucket does not exist"' },
      async (f) => {
        f.inject();
        const result = await upload('x/', { S3_BUCKET: 'no-such-bucket' });
        expect(result.code).toBe(1);
        expect(result.lines.at(-1)).toMatchObject({ code: 'S3_NOT_FOUND', msg: expect.stringContaining('bucket no-such-bucket does not exist') });
      },
    ));

  it('S-UNREACHABLE: nothing listens at the endpoint: exit 1 naming the endpoint or key, nothing half-done', () =>
    withFault(
      { id: 'S-UNREACHABLE', area: 'S3', fault: 'S3 endpoint unreachable', injection: 'AWS_ENDPOINT_URL_S3 = a closed port', expected: 'exit 1 S3_FAILED naming s3://bucket/key' },
      async (f) => {
        f.inject();
        const result = await upload('x/', { AWS_ENDPOINT_URL_S3: `http://127.0.0.1:${await freePort()}`, S3_MAX_ATTEMPTS: '1' });
        expect(result.code).toBe(1);
        expect(result.lines.at(-1)).toMatchObject({ code: 'S3_FAILED' });
        expect(lastMsg(result)).toContain(`s3://${BUCKET}/`);
      },
    ));
});

describe('a store that rejects flexible checksums', () => {
  it('S-FLEX-DEFAULT: with the default S3_CHECKSUM_MODE the upload, latest and retention all work', () =>
    withFault(
      { id: 'S-FLEX-DEFAULT', area: 'S3', fault: 'store rejects flexible checksums (default mode)', injection: 'proxy answers 400 InvalidArgument to any x-amz-checksum-*/x-amz-trailer/aws-chunked request; BACKUP_RETAIN=1 so DeleteObjects runs', expected: 'exit 0: no request carries a flexible checksum; object and latest verified' },
      async (f) => {
        const prefix = 'flex-default/';
        await putOldLatest(s3.client, prefix);
        await s3.client.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${prefix}vault-raft-snapshot-2026-01-01T00-00-00Z.snap`, Body: 'old' }));
        s3.proxy.options.rejectFlexibleChecksums = true;
        const seen = s3.proxy.requests.length;
        const result = await upload(prefix, { BACKUP_RETAIN: '1' });
        f.inject(1);
        expect(s3.proxy.requests.slice(seen).filter((r) => r.fault !== undefined).map((r) => `${r.op} refused: ${r.fault}`)).toEqual([]);
        expect(result.code).toBe(0);
        await expectUploaded(f, prefix);
        expect(await s3.server.listKeys(BUCKET, prefix)).toEqual([`${prefix}latestbackup.snap`, KEY(prefix)]);
      },
    ));

  it('S-FLEX-SUPPORTED: with S3_CHECKSUM_MODE=WHEN_SUPPORTED it fails loudly: exit 1 naming the store\'s error, nothing stored, latest untouched', () =>
    withFault(
      { id: 'S-FLEX-SUPPORTED', area: 'S3', fault: 'store rejects flexible checksums (WHEN_SUPPORTED)', injection: 'same proxy mode; S3_CHECKSUM_MODE=WHEN_SUPPORTED', expected: 'exit 1 naming InvalidArgument, no object, no pending upload, latest untouched' },
      async (f) => {
        const prefix = 'flex-supported/';
        await putOldLatest(s3.client, prefix);
        s3.proxy.options.rejectFlexibleChecksums = true;
        const before = s3.proxy.faultsInjected();
        const result = await upload(prefix, { S3_CHECKSUM_MODE: 'WHEN_SUPPORTED', S3_MAX_ATTEMPTS: '1' });
        f.inject(s3.proxy.faultsInjected() - before);
        expect(result.code).toBe(1);
        expect(lastMsg(result)).toContain('InvalidArgument');
        s3.proxy.options.rejectFlexibleChecksums = false;
        f.intact('no orphan multipart upload', s3.proxy.pendingUploads().length === 0);
        await expectOnlyOldLatest(f, s3.server, s3.client, prefix);
      },
    ));
});

describe('secrets', () => {
  itLeaksNoSecret();
});
