import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { type S3Server, startS3Server, type VaultDouble } from '@vault-raft-backup/testkit';
import { type BundleName, lastMsg, run } from './support/bundles';
import { removeWorkDirs, tree, workDir } from './support/files';
import { keepSecret, withFault } from './support/ledger';
import { BUCKET, type SnapshotFile, writeSnapshotFile } from './support/s3';
import { itLeaksNoSecret } from './support/scan-test';
import { freePort } from './support/snapshots';
import { backupVault, lookupStatus, tokenFor } from './support/vault';

const OTHER = 'other-team';
const OLD = ['2020-01-01T00-00-00Z', '2020-01-02T00-00-00Z'].map((s) => `vault-raft-snapshot-${s}.snap`);
let server: S3Server;
let client: S3Client;
let vault: VaultDouble;
let token: string;
let snap: SnapshotFile;
let closed: string;

beforeAll(async () => {
  server = await startS3Server({ buckets: [BUCKET, OTHER] });
  client = server.client();
  for (const Key of OLD) await client.send(new PutObjectCommand({ Bucket: OTHER, Key, Body: `their snapshot ${Key}` }));
  vault = await backupVault();
  token = await tokenFor(vault);
  snap = await writeSnapshotFile(workDir('hostile-config'), 'vault.snap', 64 * 1024, '2026-11-10T12:00:00.000Z');
  closed = `http://127.0.0.1:${await freePort()}`;
});
afterAll(async () => {
  await vault?.close();
  await server?.close();
  removeWorkDirs();
});

/** A run that config must refuse: exit 2, one CONFIG_INVALID line naming `name` once with `rule`, no stack, nothing written, nothing asked of Vault. */
async function expectRefused(bundle: BundleName, env: Record<string, string>, name: string, rule: string): Promise<string> {
  const cwd = workDir(`refused-${bundle}`);
  const requests = vault.requests.length;
  const result = await run(bundle, env, { cwd });
  const text = `${result.stdout}\n${result.stderr}`;
  expect({ code: result.code, stderr: result.stderr, error: result.lines.at(-1)?.code }).toEqual({ code: 2, stderr: '', error: 'CONFIG_INVALID' });
  expect(lastMsg(result)).toContain(`${name}: ${rule}`);
  expect(text.split(`${name}:`).length - 1).toBe(1);
  expect(tree(cwd)).toEqual([]);
  expect(vault.requests.length).toBe(requests);
  return text;
}

const takerEnv = (extra: Record<string, string>) => ({ VAULT_ADDR: vault.url, VAULT_TOKEN: token, SNAPSHOT_FILE: 'vault.snap', ...extra });
const s3Env = (extra: Record<string, string>) => ({ ...server.env(), S3_BUCKET: BUCKET, ...extra });
const runnerEnv = (extra: Record<string, string>) => ({ VAULT_ADDR: closed, SNAPSHOT_FILE: 'missing.snap', RESTORE_WAIT_TIMEOUT: '1s', RESTORE_EXIT_WHEN_DONE: 'true', ...extra });

const PORT = 'must have a port from 1 to 65535';
const TIMER = 'must be between 1ms and 2147483647ms';

describe('values of the right type that cannot work', () => {
  it.each([
    ['I-URL-PORT-NAN', 'snapshot-taker', 'VAULT_ADDR', 'a port that is not a number', () => takerEnv({ VAULT_ADDR: 'http://127.0.0.1:abc' }), PORT],
    ['I-URL-PORT-HIGH', 'snapshot-taker', 'VAULT_ADDR', 'a port above 65535', () => takerEnv({ VAULT_ADDR: 'http://127.0.0.1:99999' }), PORT],
    ['I-URL-PORT-ZERO', 'approle-login', 'VAULT_ADDR', 'port 0', () => ({ VAULT_ADDR: 'http://127.0.0.1:0', VAULT_ROLE_ID: 'role-id-x', VAULT_SECRET_ID: 'secret-id-x', VAULT_TOKEN_FILE: 'token' }), PORT],
    ['I-S3-ENDPOINT-PORT', 's3-uploader', 'AWS_ENDPOINT_URL_S3', 'a port above 65535', () => s3Env({ SNAPSHOT_FILE: snap.file, AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:99999' }), PORT],
    ['I-PEER-PORT', 'restore-runner', 'RESTORE_PEER_ADDRS', 'a peer port that is not a number', () => runnerEnv({ RESTORE_PEER_ADDRS: 'http://vault-1:8200,http://vault-2:abc' }), `address 2 of 2 ${PORT}`],
    ['I-TIMEOUT-ZERO', 'snapshot-taker', 'VAULT_TIMEOUT', 'a timeout of 0 (fires at once)', () => takerEnv({ VAULT_TIMEOUT: '0' }), TIMER],
    ['I-TIMEOUT-OVERFLOW', 'snapshot-taker', 'SNAPSHOT_STALL_TIMEOUT', 'a timeout above 2^31-1 ms (fires at once)', () => takerEnv({ SNAPSHOT_STALL_TIMEOUT: '2147484s' }), TIMER],
    ['I-S3-TIMEOUT-OVERFLOW', 's3-uploader', 'S3_SOCKET_TIMEOUT', 'a timeout of 600h (above 2^31-1 ms)', () => s3Env({ SNAPSHOT_FILE: snap.file, S3_SOCKET_TIMEOUT: '600h' }), TIMER],
    ['I-WAIT-ZERO', 'restore-runner', 'RESTORE_WAIT_TIMEOUT', 'a wait of 0', () => runnerEnv({ RESTORE_WAIT_TIMEOUT: '0' }), TIMER],
    ['I-RETRIES-HUGE', 'snapshot-taker', 'VAULT_MAX_RETRIES', '10^20 retries (forever)', () => takerEnv({ VAULT_MAX_RETRIES: '100000000000000000000' }), 'must be a whole number from 0 to 100'],
    ['I-S3-ATTEMPTS-HUGE', 's3-uploader', 'S3_MAX_ATTEMPTS', '1000 attempts per request', () => s3Env({ SNAPSHOT_FILE: snap.file, S3_MAX_ATTEMPTS: '1000' }), 'must be a whole number from 1 to 20'],
    ['I-PART-SIZE-HUGE', 's3-uploader', 'S3_PART_SIZE', 'a 5GiB part (a RangeError at upload time)', () => s3Env({ SNAPSHOT_FILE: snap.file, S3_PART_SIZE: '5GiB' }), 'must be between 5MiB and 1GiB'],
  ] as const)('%s: %s %s: %s is refused at parse time: exit 2, the rule named once, nothing done', (id, bundle, name, what, env, rule) =>
    withFault(
      { id, area: 'Bad input', fault: `${name}: ${what}`, injection: `${bundle} run with only ${name} wrong`, expected: `exit 2 CONFIG_INVALID "${name}: ${rule}", no stack trace, no file, no Vault request, nothing stored` },
      async (f) => {
        const keys = await server.listKeys(BUCKET);
        f.inject();
        await expectRefused(bundle, env(), name, rule);
        f.intact('nothing stored in S3', (await server.listKeys(BUCKET)).join() === keys.join());
        f.intact('the token was not used', (await lookupStatus(vault, token)) === 200);
      },
    ));
});

describe('keys that leave the prefix or the bucket', () => {
  /** The second bucket holds exactly its two snapshots, byte-identical. */
  const otherIntact = async (): Promise<boolean> => {
    if ((await server.listKeys(OTHER)).join() !== [...OLD].sort().join()) return false;
    const bodies = await Promise.all(OLD.map(async (Key) => (await client.send(new GetObjectCommand({ Bucket: OTHER, Key }))).Body?.transformToString()));
    return bodies.every((b, i) => b === `their snapshot ${OLD[i]}`);
  };

  it.each([
    ['I-PREFIX-DOTDOT', 's3-uploader', 'S3_PREFIX', '../other-team/ with BACKUP_RETAIN=1 (s3rver resolves it to another bucket)', () => s3Env({ SNAPSHOT_FILE: snap.file, S3_PREFIX: `../${OTHER}/`, BACKUP_RETAIN: '1' }), 'must not contain "." or ".." segments'],
    ['I-PREFIX-SLASH', 's3-uploader', 'S3_PREFIX', 'a leading /', () => s3Env({ SNAPSHOT_FILE: snap.file, S3_PREFIX: '/vault/' }), 'must not start with "/"'],
    ['I-RESTORE-KEY-DOTDOT', 'restore-fetcher', 'RESTORE_KEY', `../${OTHER}/<their snapshot>`, () => s3Env({ SNAPSHOT_FILE: 'vault.snap', RESTORE_KEY: `../${OTHER}/${OLD[0]}`, RESTORE_ALLOW_MISSING_CHECKSUM: 'true' }), 'must not contain "." or ".." segments'],
    ['I-LATEST-IS-SNAPSHOT', 's3-uploader', 'S3_LATEST_KEY', 'a snapshot-like name, which retention would delete', () => s3Env({ SNAPSHOT_FILE: snap.file, S3_LATEST_KEY: OLD[0] ?? '', BACKUP_RETAIN: '1' }), 'must not look like a timestamped snapshot name'],
  ] as const)('%s: %s %s: %s is refused: exit 2, nothing stored, the other bucket untouched', (id, bundle, name, what, env, rule) =>
    withFault(
      { id, area: 'Bad input', fault: `${name}: ${what}`, injection: `${bundle} against s3rver holding a second bucket with two snapshots`, expected: `exit 2 CONFIG_INVALID "${name}: ${rule}", no object added to either bucket, the other bucket's objects byte-identical, no file` },
      async (f) => {
        f.inject();
        await expectRefused(bundle, env(), name, rule);
        f.intact('nothing stored in our bucket', (await server.listKeys(BUCKET)).length === 0);
        f.intact('the other bucket untouched', await otherIntact());
      },
    ));
});

describe('config errors never repeat a value', () => {
  it('I-NO-ECHO: a URL with a password, a huge duration and a huge count are refused by rule, none of the values printed', () =>
    withFault(
      { id: 'I-NO-ECHO', area: 'Bad input', fault: 'config errors echo values', injection: 'snapshot-taker with VAULT_ADDR=http://ops:<password>@vault:abc, a 30-digit VAULT_TIMEOUT and a 30-digit VAULT_MAX_RETRIES', expected: 'exit 2 listing the three variables once each with their rules; neither the password, the URL nor the digits in any output' },
      async (f) => {
        const password = `url-password-${process.pid}-${Date.now()}`;
        keepSecret('URL password', password);
        const digits = '9'.repeat(30);
        f.inject(3);
        const text = await expectRefused('snapshot-taker', takerEnv({ VAULT_ADDR: `http://ops:${password}@vault.example:abc`, VAULT_TIMEOUT: `${digits}s`, VAULT_MAX_RETRIES: digits }), 'VAULT_ADDR', PORT);
        for (const name of ['VAULT_TIMEOUT', 'VAULT_MAX_RETRIES']) expect(text.split(`${name}:`).length - 1).toBe(1);
        for (const value of [password, 'vault.example', digits]) f.intact(`no value echoed (${value === password ? 'password' : value.slice(0, 13)})`, !text.includes(value));
      },
    ));
});

describe('secrets', () => {
  itLeaksNoSecret();
});
