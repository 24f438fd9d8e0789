
import { lastMsg, run } from './support/bundles';
import { type FaultCase, withFault } from './support/ledger';
import { proxiedStore } from './support/proxied-store';
import { BUCKET, expectOnlyOldLatest, objectSha, putOldLatest, uploaderEnv } from './support/s3';
import { itLeaksNoSecret } from './support/scan-test';

const s3 = proxiedStore('integrity', '2026-11-29T05:00:00.000Z');

const KEY = (prefix: string) => `${prefix}vault-raft-snapshot-2026-11-29T05-00-00Z.snap`;

/** S3_SSE as the uploader asks for it, and how the store answers (s3rver ignores SSE; the proxy answers as S3 does under it). */
const MODES = [
  { mode: 'NONE', env: {}, store: undefined },
  { mode: 'AES256', env: { S3_SSE: 'AES256' }, store: 'AES256' },
  { mode: 'KMS', env: { S3_SSE: 'aws:kms' }, store: 'aws:kms' },
] as const;
type Mode = (typeof MODES)[number];

const upload = (m: Mode, prefix: string, extra: Record<string, string> = {}) => {
  s3.proxy.options.sse = m.store;
  return run('s3-uploader', uploaderEnv(s3.server, s3.proxy, s3.secret, { SNAPSHOT_FILE: s3.snap.file, S3_PREFIX: prefix, ...m.env, ...extra }));
};

async function expectVerified(f: FaultCase, prefix: string): Promise<void> {
  f.intact("the snapshot object has the file's bytes", (await objectSha(s3.client, KEY(prefix))) === s3.snap.sha256);
  f.intact("latest has the file's bytes", (await objectSha(s3.client, `${prefix}latestbackup.snap`)) === s3.snap.sha256);
}

describe.each(MODES)('with S3_SSE=$mode', (m) => {
  it(`S-PART-FLIP-${m.mode}: a bit flipped in part 2 on the way is refused by the store (Content-MD5) and the part resent: exit 0, object and latest verified`, () =>
    withFault(
      { id: `S-PART-FLIP-${m.mode}`, area: 'S3', fault: `a part damaged on the way (S3_SSE ${m.mode})`, injection: 'proxy flips one bit of the first UploadPart of part 2 before the store checks Content-MD5 (s3rver 3.7.1 does not: the proxy checks it as S3 does)', expected: 'the store answers 400 BadDigest, the part is sent again: exit 0, object and latest have the snapshot\'s sha256' },
      async (f) => {
        const prefix = `part-flip-${m.mode.toLowerCase()}/`;
        await putOldLatest(s3.client, prefix);
        s3.proxy.rules.push({ op: 'UploadPart', partNumber: 2, times: 1, action: { kind: 'flip', at: 'transit' } });
        const seen = s3.proxy.requests.length;
        const result = await upload(m, prefix);
        f.inject(1);
        const part2 = s3.proxy.requests.slice(seen).filter((r) => r.op === 'UploadPart' && r.partNumber === 2);
        expect(part2.map((r) => r.storeError ?? r.status)).toEqual(['BadDigest', 200]);
        expect(result.code).toBe(0);
        await expectVerified(f, prefix);
      },
    ));

  it(`S-STORED-FLIP-${m.mode}: the store keeps other bytes than it acknowledged (its ETags name the bytes sent): exit 1 S3_VERIFY_FAILED, object deleted, latest untouched`, () =>
    withFault(
      { id: `S-STORED-FLIP-${m.mode}`, area: 'S3', fault: `store keeps other bytes and lies with the ETag (S3_SSE ${m.mode})`, injection: 'proxy flips one bit of part 2 after the Content-MD5 check; UploadPart, CompleteMultipartUpload, HeadObject and GetObject answer the ETags of the bytes sent', expected: 'exit 1 S3_VERIFY_FAILED naming the key; the object deleted, latest byte-identical' },
      async (f) => {
        const prefix = `stored-flip-${m.mode.toLowerCase()}/`;
        await putOldLatest(s3.client, prefix);
        s3.proxy.rules.push({ op: 'UploadPart', partNumber: 2, action: { kind: 'flip', at: 'rest' } });
        const result = await upload(m, prefix);
        f.inject(1);
        expect(result.code).toBe(1);
        expect(result.lines.at(-1)).toMatchObject({ code: 'S3_VERIFY_FAILED', msg: expect.stringContaining(`s3://${BUCKET}/${KEY(prefix)}`) });
        await expectOnlyOldLatest(f, s3.server, s3.client, prefix);
      },
    ));

  it(`S-READ-FLIP-${m.mode}: the stored object reads back with a flipped bit: exit 1 S3_VERIFY_FAILED, object deleted, latest untouched`, () =>
    withFault(
      { id: `S-READ-FLIP-${m.mode}`, area: 'S3', fault: `stored object differs from what was sent (S3_SSE ${m.mode})`, injection: 'proxy flips one bit in the middle of every GetObject body', expected: 'exit 1 S3_VERIFY_FAILED naming the key and the sha256 read back; the object deleted, latest byte-identical' },
      async (f) => {
        const prefix = `read-flip-${m.mode.toLowerCase()}/`;
        await putOldLatest(s3.client, prefix);
        s3.proxy.rules.push({ op: 'GetObject', action: { kind: 'flip', at: 'read' } });
        const result = await upload(m, prefix);
        f.inject(1);
        expect(result.code).toBe(1);
        expect(result.lines.at(-1)).toMatchObject({ code: 'S3_VERIFY_FAILED', msg: expect.stringContaining(`s3://${BUCKET}/${KEY(prefix)}`) });
        await expectOnlyOldLatest(f, s3.server, s3.client, prefix);
      },
    ));
});

describe('ETags are not evidence', () => {
  it.each([
    ['NONE', {}, 'aws:kms', 'a bucket with default SSE-KMS: x-amz-server-side-encryption aws:kms and ETags that are not the MD5 of the bytes'],
    ['AES256', { S3_SSE: 'AES256' }, 'AES256', 'a store whose ETags are not MD5s (x-amz-server-side-encryption AES256)'],
  ] as const)('S-ETAG-OPAQUE-%s: ETags that are not MD5s, bytes kept intact: exit 0, object and latest verified', (mode, env, store, how) =>
    withFault(
      { id: `S-ETAG-OPAQUE-${mode}`, area: 'S3', fault: `ETags that are not MD5s (S3_SSE ${mode})`, injection: `proxy answers as ${how}`, expected: 'exit 0: the sha256 read back decides, not the ETag; object and latest verified' },
      async (f) => {
        const prefix = `etag-opaque-${mode.toLowerCase()}/`;
        await putOldLatest(s3.client, prefix);
        s3.proxy.options.opaqueEtags = true;
        s3.proxy.options.sse = store;
        const result = await run('s3-uploader', uploaderEnv(s3.server, s3.proxy, s3.secret, { SNAPSHOT_FILE: s3.snap.file, S3_PREFIX: prefix, ...env }));
        f.inject(1);
        expect(result.code).toBe(0);
        await expectVerified(f, prefix);
      },
    ));

  it('S-PART-FLIP-ALWAYS: every attempt of part 2 arrives damaged: exit 1 naming BadDigest, no object, no orphan upload, latest untouched', () =>
    withFault(
      { id: 'S-PART-FLIP-ALWAYS', area: 'S3', fault: 'a part damaged on every attempt', injection: 'proxy flips one bit of every UploadPart of part 2 before the Content-MD5 check; S3_SSE=aws:kms', expected: 'exit 1 S3_FAILED naming BadDigest and the key, AbortMultipartUpload sent, no pending upload, latest byte-identical' },
      async (f) => {
        const prefix = 'part-flip-always/';
        await putOldLatest(s3.client, prefix);
        s3.proxy.rules.push({ op: 'UploadPart', partNumber: 2, action: { kind: 'flip', at: 'transit' } });
        const result = await upload(MODES[2], prefix);
        f.inject(s3.proxy.requests.filter((r) => r.storeError === 'BadDigest').length);
        expect(result.code).toBe(1);
        expect(result.lines.at(-1)).toMatchObject({ code: 'S3_FAILED', msg: expect.stringContaining('BadDigest') });
        expect(lastMsg(result)).toContain(`s3://${BUCKET}/${KEY(prefix)}`);
        f.intact('no orphan multipart upload', s3.proxy.pendingUploads().length === 0);
        await expectOnlyOldLatest(f, s3.server, s3.client, prefix);
      },
    ));
});

describe('secrets', () => {
  itLeaksNoSecret();
});
