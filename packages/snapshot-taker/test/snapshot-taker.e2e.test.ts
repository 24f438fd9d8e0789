import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifySnapshotFile } from '@vault-raft-backup/common';
import { runBundle } from '@vault-raft-backup/testkit';
import { doubles, run, tokenFor } from './helpers';

let work: string;
const vaults = doubles();
const double = vaults.start;

function leftovers(dir: string): string[] {
  return readdirSync(dir);
}

beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'snapshot-taker-'));
});
afterEach(() => rmSync(work, { recursive: true, force: true }));
afterAll(async () => {
  await vaults.closeAll();
});

describe('snapshot-taker bundle', () => {
  it.each(['system', 'node24'] as const)('on Node %s, it writes a verified snapshot with its sidecar and revokes the token', async (node) => {
    const d = await double();
    await d.putSecret('secret/app', { password: 'p' });
    const token = await tokenFor(d);
    const file = join(work, 'vault.snap');
    const result = await run({ VAULT_ADDR: d.url, VAULT_TOKEN: token, SNAPSHOT_FILE: file }, node);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const bytes = readFileSync(file);
    const record = JSON.parse(readFileSync(`${file}.json`, 'utf8'));
    expect(record.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(record.bytes).toBe(bytes.length);
    expect(record.index).toBeGreaterThan(0);
    expect(record.source).toBe(d.url);
    expect((await verifySnapshotFile(file)).sha256).toBe(record.sha256);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(leftovers(work).sort()).toEqual(['vault.snap', 'vault.snap.json']);
    const lookup = await fetch(`${d.url}/v1/auth/token/lookup-self`, { headers: { 'x-vault-token': token } });
    expect(lookup.status).toBe(403);
    expect(result.stdout).not.toContain(token);
  });

  it('when VAULT_REVOKE_TOKEN=false, the token stays valid', async () => {
    const d = await double();
    const token = await tokenFor(d);
    const tokenFile = join(work, 'token');
    writeFileSync(tokenFile, `${token}\n`);
    const result = await run({ VAULT_ADDR: d.url, VAULT_TOKEN_FILE: tokenFile, SNAPSHOT_FILE: join(work, 's.snap'), VAULT_REVOKE_TOKEN: 'false' });
    expect(result.code).toBe(0);
    expect((await fetch(`${d.url}/v1/auth/token/lookup-self`, { headers: { 'x-vault-token': token } })).status).toBe(200);
  });

  it('when called on a standby, it follows the 307 to the active node and records that node', async () => {
    const d = await double({ nodes: 3 });
    const token = await tokenFor(d);
    const standby = d.nodes[1]?.url ?? '';
    const file = join(work, 'vault.snap');
    const result = await run({ VAULT_ADDR: standby, VAULT_TOKEN: token, SNAPSHOT_FILE: file });
    expect(result.code).toBe(0);
    expect(JSON.parse(readFileSync(`${file}.json`, 'utf8')).source).toBe(d.url);
  });

  it('when Vault is sealed, it exits 1 with VAULT_SEALED and writes nothing', async () => {
    const d = await double();
    const token = await tokenFor(d);
    d.seal();
    const result = await run({ VAULT_ADDR: d.url, VAULT_TOKEN: token, SNAPSHOT_FILE: join(work, 'vault.snap') });
    expect(result.code).toBe(1);
    expect(result.lines.at(-1)).toMatchObject({ level: 'error', code: 'VAULT_SEALED' });
    expect(String(result.lines.at(-1)?.msg)).toContain('503 (Vault is sealed): GET /v1/sys/storage/raft/snapshot');
    expect(leftovers(work)).toEqual([]);
  });

  it('when the token lacks the snapshot policy, it exits 1 with permission denied', async () => {
    const d = await double();
    const token = await tokenFor(d, ['default']);
    const result = await run({ VAULT_ADDR: d.url, VAULT_TOKEN: token, SNAPSHOT_FILE: join(work, 'vault.snap') });
    expect(result.code).toBe(1);
    expect(result.lines.at(-1)).toMatchObject({ code: 'VAULT_PERMISSION_DENIED' });
    expect(leftovers(work)).toEqual([]);
  });

  it('when the stream is cut mid-snapshot, it exits 1 and leaves no file and no temp file', async () => {
    const d = await double({ fillerBytes: 2 * 1024 * 1024 });
    const token = await tokenFor(d);
    d.faults.cutSnapshotAfterBytes = 700_000;
    const result = await run({ VAULT_ADDR: d.url, VAULT_TOKEN: token, SNAPSHOT_FILE: join(work, 'vault.snap') });
    expect(result.code).toBe(1);
    expect(result.lines.at(-1)).toMatchObject({ code: 'SNAPSHOT_INCOMPLETE' });
    expect(leftovers(work)).toEqual([]);
  });

  it('when the stream stalls, it aborts after SNAPSHOT_STALL_TIMEOUT and leaves nothing', async () => {
    const d = await double({ fillerBytes: 1024 * 1024 });
    const token = await tokenFor(d);
    d.faults.stallSnapshotAfterBytes = 100_000;
    const result = await run({ VAULT_ADDR: d.url, VAULT_TOKEN: token, SNAPSHOT_FILE: join(work, 'vault.snap'), SNAPSHOT_STALL_TIMEOUT: '1s' });
    expect(result.code).toBe(1);
    expect(result.lines.at(-1)).toMatchObject({ code: 'SNAPSHOT_STALLED' });
    expect(leftovers(work)).toEqual([]);
  });

  it('when Vault answers 200 with a content type that is not gzip, it exits 1', async () => {
    const d = await double();
    const token = await tokenFor(d);
    d.faults.snapshotContentType = 'text/html';
    const result = await run({ VAULT_ADDR: d.url, VAULT_TOKEN: token, SNAPSHOT_FILE: join(work, 'vault.snap') });
    expect(result.code).toBe(1);
    expect(String(result.lines.at(-1)?.msg)).toContain('content type "text/html"');
    expect(leftovers(work)).toEqual([]);
  });

  it('when a killed run left a temp file, it removes it and says so', async () => {
    const d = await double();
    const token = await tokenFor(d);
    writeFileSync(join(work, '.vault.snap.partial-deadbeef'), 'half');
    const result = await run({ VAULT_ADDR: d.url, VAULT_TOKEN: token, SNAPSHOT_FILE: join(work, 'vault.snap') });
    expect(result.code).toBe(0);
    expect(leftovers(work).sort()).toEqual(['vault.snap', 'vault.snap.json']);
    expect(result.lines.some((l) => l.msg === 'removed temp files of an earlier run that did not finish')).toBe(true);
  });

  it('when configuration is missing or wrong, it exits 2 listing every problem and calls nothing', async () => {
    const result = await run({ VAULT_ADDR: 'not-a-url', VAULT_REVOKE_TOKEN: 'yes' });
    expect(result.code).toBe(2);
    const msg = String(result.lines.at(-1)?.msg);
    for (const name of ['VAULT_ADDR', 'VAULT_TOKEN', 'SNAPSHOT_FILE', 'VAULT_REVOKE_TOKEN']) expect(msg).toContain(`${name}:`);
  });

  it('prints its environment table with --help and exits 0', async () => {
    const help = await runBundle('snapshot-taker', { args: ['--help'] });
    expect(help.code).toBe(0);
    for (const name of ['VAULT_ADDR', 'VAULT_TOKEN', 'VAULT_TOKEN_FILE', 'SNAPSHOT_FILE', 'VAULT_REVOKE_TOKEN', 'VAULT_CACERT']) expect(help.stdout).toContain(name);
  });
});
