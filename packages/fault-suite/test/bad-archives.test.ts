import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { type S3Server, sha256Hex, startS3Server } from '@vault-raft-backup/testkit';
import { type BadArchive, badArchives, pool, REFUSED, spacesMeta } from './support/bad-archives';
import { run } from './support/bundles';
import { removeWorkDirs, tree, workDir } from './support/files';
import { type FaultCase, withFault } from './support/ledger';
import { BUCKET, expectOnlyOldLatest, putOldLatest, writeRawSnapshot, writeSidecar } from './support/s3';
import { expectPreviousIntact, previousBackup } from './support/snapshots';
import { backupVault } from './support/vault';

const INPUTS = badArchives();
let server: S3Server;
let client: S3Client;
let fakeVault: Server;
const served = new Map<string, Buffer>();

beforeAll(async () => {
  server = await startS3Server({ buckets: [BUCKET] });
  client = server.client();
  // a Vault that answers the snapshot GET with 200 application/gzip and the bytes of the archive named in the token
  fakeVault = createServer((req, res) => {
    const bytes = served.get(String(req.headers['x-vault-token']));
    if (req.url !== '/v1/sys/storage/raft/snapshot' || !bytes) return void res.writeHead(404, { 'content-type': 'application/json' }).end('{"errors":[]}');
    res.writeHead(200, { 'content-type': 'application/gzip' }).end(bytes);
  });
  await new Promise<void>((r) => fakeVault.listen(0, '127.0.0.1', r));
});
afterAll(async () => {
  await new Promise<void>((r) => fakeVault.close(() => r()));
  await server.close();
  removeWorkDirs();
});

/** Every input refused with a snapshot code and exit 1; `check` asserts that nothing was lost for each. */
async function refuseAll(f: FaultCase, attempt: (input: BadArchive, n: number) => Promise<{ code: number | null; last: unknown; check: () => Promise<void> }>): Promise<void> {
  const outcomes: string[] = [];
  await pool(
    INPUTS.map((input, n) => ({ input, n })),
    3,
    async ({ input, n }) => {
      f.inject();
      const r = await attempt(input, n);
      outcomes.push(`${input.name}: ${r.code} ${String(r.last)}`);
      expect(`${input.name}: ${r.code}`).toBe(`${input.name}: 1`);
      expect(String(r.last)).toMatch(REFUSED);
      await r.check();
    },
  );
  expect(outcomes).toHaveLength(INPUTS.length);
}

const SPEC = (bundle: string, how: string, kept: string) => ({
  id: `I-ARCHIVE ${bundle}`,
  area: 'Bad input' as const,
  fault: `bad snapshot files into ${bundle} (${INPUTS.length} shapes)`,
  injection: `${how}: empty file, not gzip, gzip of something else, the raft library's malformed archives (missing/corrupt/extra entries, built by testkit), 4 MiB meta.json; spaces-meta as a valid control`,
  expected: `each: exit 1 SNAPSHOT_INVALID or SNAPSHOT_INCOMPLETE, ${kept}; the valid control: exit 0`,
});

it('I-ARCHIVE snapshot-taker: Vault serving a bad archive never replaces the earlier snapshot', () =>
  withFault(SPEC('snapshot-taker', 'a fake Vault serves each file as 200 application/gzip', 'earlier snapshot and sidecar byte-identical, no temp file'), async (f) => {
    const addr = `http://127.0.0.1:${(fakeVault.address() as AddressInfo).port}`;
    const take = async (input: BadArchive, n: number) => {
      const token = `token-${n}-${input.name.replace(/\W/g, '')}`;
      served.set(token, input.bytes);
      const dir = workDir('bad-take');
      const prev = previousBackup(dir);
      const result = await run('snapshot-taker', { VAULT_ADDR: addr, VAULT_TOKEN: token, SNAPSHOT_FILE: prev.file, VAULT_REVOKE_TOKEN: 'false', VAULT_MAX_RETRIES: '0' });
      return { code: result.code, last: result.lines.at(-1)?.code, check: async () => expectPreviousIntact(f, dir, prev) };
    };
    await refuseAll(f, take);
    expect((await take(spacesMeta(), 99)).code).toBe(0);
  }));

it('I-ARCHIVE s3-uploader: a bad file next to the sidecar of a verified snapshot (replaced or damaged after the snapshot step) is never stored and latest is untouched', () =>
  withFault(SPEC('s3-uploader', 'each file written as SNAPSHOT_FILE next to the sidecar of a verified snapshot (s3-uploader trusts a sidecar that matches the bytes: the archive was verified when the sidecar was written)', 'nothing stored, latest byte-identical'), async (f) => {
    const upload = async (input: BadArchive, n: number) => {
      const prefix = `bad-${n}/`;
      await putOldLatest(client, prefix);
      const dir = workDir('bad-up');
      const verified = writeRawSnapshot(dir, 'verified.snap', spacesMeta().bytes, '2026-11-29T06:00:00.000Z');
      const snap = writeRawSnapshot(dir, 'vault.snap', input.bytes, verified.takenAt);
      writeSidecar(snap.file, verified);
      const result = await run('s3-uploader', { ...server.env(), SNAPSHOT_FILE: snap.file, S3_BUCKET: BUCKET, S3_PREFIX: prefix });
      return { code: result.code, last: result.lines.at(-1)?.code, check: () => expectOnlyOldLatest(f, server, client, prefix) };
    };
    await refuseAll(f, upload);
    const control = writeRawSnapshot(workDir('bad-up'), 'vault.snap', spacesMeta().bytes, '2026-11-29T06:00:00.000Z');
    await putOldLatest(client, 'bad-99/');
    expect((await run('s3-uploader', { ...server.env(), SNAPSHOT_FILE: control.file, S3_BUCKET: BUCKET, S3_PREFIX: 'bad-99/' })).code).toBe(0);
  }));

it('I-ARCHIVE restore-fetcher: a bad object in S3 (with matching sha256 metadata) is never written for restore', () =>
  withFault(SPEC('restore-fetcher', 'each file stored as an object with its own sha256 as metadata', 'no file at SNAPSHOT_FILE, no temp file'), async (f) => {
    const fetchOne = async (input: BadArchive, n: number) => {
      const key = `fetch/bad-${n}.snap`;
      await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: input.bytes, Metadata: { sha256: sha256Hex(input.bytes) } }));
      const dir = workDir('bad-fetch');
      const result = await run('restore-fetcher', { ...server.env(), S3_BUCKET: BUCKET, RESTORE_KEY: key, SNAPSHOT_FILE: join(dir, 'vault.snap') });
      return { code: result.code, last: result.lines.at(-1)?.code, check: async () => f.intact(`nothing written for ${input.name}`, tree(dir).length === 0) };
    };
    await refuseAll(f, fetchOne);
    expect((await fetchOne(spacesMeta(), 99)).code).toBe(0);
  }));

it('I-ARCHIVE restore-runner: a bad snapshot never reaches Vault: exit 1 before init, Vault left uninitialized', () =>
  withFault(SPEC('restore-runner', 'each file as SNAPSHOT_FILE with a matching sidecar, a fresh uninitialized Vault double', 'Vault not initialized, no restore request'), async (f) => {
    const restore = async (input: BadArchive) => {
      const fresh = await backupVault({ initialized: false });
      const snap = writeRawSnapshot(workDir('bad-restore'), 'vault.snap', input.bytes, '2026-11-29T06:00:00.000Z');
      const result = await run('restore-runner', { VAULT_ADDR: fresh.url, SNAPSHOT_FILE: snap.file, HOSTNAME: 'vault-0', RESTORE_EXIT_WHEN_DONE: 'true', RESTORE_WAIT_TIMEOUT: '5s' });
      const check = async () => {
        f.intact(`Vault left uninitialized for ${input.name}`, !fresh.state().initialized && !fresh.requests.some((r) => r.path.startsWith('/v1/sys/storage/raft/snapshot')));
        await fresh.close();
      };
      return { code: result.code, last: result.lines.at(-1)?.code, check };
    };
    await refuseAll(f, restore);
  }));
