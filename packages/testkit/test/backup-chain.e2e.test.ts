import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { createServiceAccountIssuer, repoRoot, runBundle, type S3Server, setUpServiceAccountAuth, startS3Server, startVaultDouble, type VaultDouble } from '../src/index';
import { roundTrip } from '../src/roundtrip/index';

const BUCKET = 'chain';
const POLICY = readFileSync(join(repoRoot(), 'manifests', 'vault', 'snapshot-policy.hcl'), 'utf8');
let s3: S3Server;
let vault: VaultDouble;
let work: string;

beforeAll(async () => {
  s3 = await startS3Server({ buckets: [BUCKET] });
  vault = await startVaultDouble({ fillerBytes: 3 * 1024 * 1024 });
  vault.writePolicy('vault-raft-backup', POLICY);
});
afterAll(async () => {
  await vault.close();
  await s3.close();
});
beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'chain-'));
  for (const volume of ['vault-token', 'snapshot']) mkdirSync(join(work, volume));
});
afterEach(() => rmSync(work, { recursive: true, force: true }));

async function objectBytes(key: string): Promise<Buffer> {
  const res = await s3.client().send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  return Buffer.from((await res.Body?.transformToByteArray()) ?? []);
}

/** The CronJob's three containers, in order, sharing the two volumes, on the images' Node. */
async function backupJob(prefix: string) {
  const { roleId, secretId } = vault.createAppRole('vault-raft-backup', { token_policies: ['vault-raft-backup'] });
  const shared = { VAULT_ADDR: vault.url, VAULT_TOKEN_FILE: join(work, 'vault-token', 'token'), SNAPSHOT_FILE: join(work, 'snapshot', 'vault.snap') };
  const login = await runBundle('approle-login', { node: 'node24', env: { ...shared, VAULT_ROLE_ID: roleId, VAULT_SECRET_ID: secretId } });
  const take = login.code === 0 ? await runBundle('snapshot-taker', { node: 'node24', env: shared }) : undefined;
  const upload = take?.code === 0 ? await runBundle('s3-uploader', { node: 'node24', env: { ...s3.env(), SNAPSHOT_FILE: shared.SNAPSHOT_FILE, S3_BUCKET: BUCKET, S3_PREFIX: prefix } }) : undefined;
  return { login, take, upload, shared, secrets: [roleId, secretId] };
}

describe('the backup job, chained as the CronJob runs it', () => {
  it('moves a verified snapshot from Vault to a timestamped object and latest, through files only', async () => {
    const job = await backupJob('nightly/');

    expect([job.login.code, job.take?.code, job.upload?.code]).toEqual([0, 0, 0]);
    const snapshot = readFileSync(job.shared.SNAPSHOT_FILE);
    const keys = await s3.listKeys(BUCKET, 'nightly/');
    expect(keys).toHaveLength(2);
    expect(keys).toContain('nightly/latestbackup.snap');
    for (const key of keys) expect((await objectBytes(key)).equals(snapshot)).toBe(true);
    const record = JSON.parse(readFileSync(`${job.shared.SNAPSHOT_FILE}.json`, 'utf8'));
    expect(record.sha256).toBe(createHash('sha256').update(snapshot).digest('hex'));
    const token = readFileSync(job.shared.VAULT_TOKEN_FILE, 'utf8');
    expect((await fetch(`${vault.url}/v1/auth/token/lookup-self`, { headers: { 'x-vault-token': token } })).status).toBe(403);
    const output = [job.login, job.take, job.upload].map((r) => `${r?.stdout}${r?.stderr}`).join('');
    for (const secret of [token, ...job.secrets, s3.secretAccessKey]) expect(output).not.toContain(secret);
  });

  it('when the snapshot stream is cut, no file, no object, and latest keeps the previous backup', async () => {
    const first = await backupJob('cut/');
    expect(first.upload?.code).toBe(0);
    const latestBefore = await objectBytes('cut/latestbackup.snap');
    rmSync(join(work, 'snapshot', 'vault.snap'));
    rmSync(join(work, 'snapshot', 'vault.snap.json'));
    vault.faults.cutSnapshotAfterBytes = 1_000_000;
    try {
      const second = await backupJob('cut/');
      expect(second.take?.code).toBe(1);
      expect(second.take?.lines.at(-1)).toMatchObject({ code: 'SNAPSHOT_INCOMPLETE' });
      expect(second.upload).toBeUndefined();
    } finally {
      vault.faults.cutSnapshotAfterBytes = undefined;
    }
    expect(readdirSync(join(work, 'snapshot'))).toEqual([]);
    expect(await s3.listKeys(BUCKET, 'cut/')).toHaveLength(2);
    expect((await objectBytes('cut/latestbackup.snap')).equals(latestBefore)).toBe(true);
  });
});

describe('the backup job with Kubernetes auth (the kubernetes-auth component)', () => {
  const issuer = createServiceAccountIssuer();
  const NS = 'vault-raft-backup';
  const SA = 'vault-raft-backup';

  beforeAll(() => setUpServiceAccountAuth(vault, { publicKeyPem: issuer.publicKeyPem, role: 'vault-raft-backup', namespace: NS, serviceAccount: SA, policies: ['vault-raft-backup'] }));

  /** The CronJob's containers with kubernetes-login first, the projected token on its own volume. */
  async function kubernetesJob(prefix: string, jwt: string) {
    mkdirSync(join(work, 'serviceaccount'));
    writeFileSync(join(work, 'serviceaccount', 'token'), jwt);
    const shared = { VAULT_ADDR: vault.url, VAULT_TOKEN_FILE: join(work, 'vault-token', 'token'), SNAPSHOT_FILE: join(work, 'snapshot', 'vault.snap') };
    const login = await runBundle('kubernetes-login', { node: 'node24', env: { ...shared, VAULT_AUTH_ROLE: 'vault-raft-backup', VAULT_JWT_FILE: join(work, 'serviceaccount', 'token') } });
    const take = login.code === 0 ? await runBundle('snapshot-taker', { node: 'node24', env: shared }) : undefined;
    const upload = take?.code === 0 ? await runBundle('s3-uploader', { node: 'node24', env: { ...s3.env(), SNAPSHOT_FILE: shared.SNAPSHOT_FILE, S3_BUCKET: BUCKET, S3_PREFIX: prefix } }) : undefined;
    return { login, take, upload, shared };
  }

  it('moves a verified snapshot to S3 with no stored secret, and no token or JWT in any output', async () => {
    const jwt = issuer.mint({ namespace: NS, serviceAccount: SA });

    const job = await kubernetesJob('k8s/', jwt);

    expect([job.login.code, job.take?.code, job.upload?.code]).toEqual([0, 0, 0]);
    const snapshot = readFileSync(job.shared.SNAPSHOT_FILE);
    expect((await objectBytes('k8s/latestbackup.snap')).equals(snapshot)).toBe(true);
    const token = readFileSync(job.shared.VAULT_TOKEN_FILE, 'utf8');
    expect((await fetch(`${vault.url}/v1/auth/token/lookup-self`, { headers: { 'x-vault-token': token } })).status).toBe(403);
    const output = [job.login, job.take, job.upload].map((r) => `${r?.stdout}${r?.stderr}`).join('');
    for (const secret of [token, jwt, jwt.split('.')[2] ?? '', s3.secretAccessKey]) expect(output).not.toContain(secret);
  });

  it('when the role does not admit the pod\'s namespace, login exits 1 saying so and nothing else runs', async () => {
    const jwt = issuer.mint({ namespace: 'other-team', serviceAccount: SA });

    const job = await kubernetesJob('k8s-refused/', jwt);

    expect(job.login.code).toBe(1);
    expect(job.login.lines.at(-1)?.msg).toMatch(/^Vault login failed \(403 namespace not authorized\): .*bound_service_account_namespaces/);
    expect([job.take, job.upload]).toEqual([undefined, undefined]);
    expect(readdirSync(join(work, 'vault-token'))).toEqual([]);
    expect(await s3.listKeys(BUCKET, 'k8s-refused/')).toEqual([]);
    expect(`${job.login.stdout}${job.login.stderr}`).not.toContain(jwt);
  });
});

describe('the README round trip', () => {
  it('backs up, restores into a fresh Vault with other keys, and serves the source data and keys', async () => {
    const lines: string[] = [];
    await roundTrip((line) => lines.push(line));
    expect(lines.at(-1)).toBe('ROUND TRIP OK');
    expect(lines.join('\n')).toContain('2 followers are unsealed standbys, 3/3 secrets served with the source root token');
    expect(lines.join('\n')).toContain('temporary init 3 of 5 keys');
  }, 120_000);
});
