import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { type BundleResult, runBundle, type S3Server, startS3Server, startVaultDouble, type VaultDouble } from '@vault-raft-backup/testkit';
import { type ContainerLike, podsOf, type VolumeLike } from '../src/pod';
import { render } from '../src/render';
import { strategicMerge } from '../src/strategic-merge';
import { isRecord, type K8sObject, readYamlDocuments, readYamlFile } from '../src/yaml-io';

/**
 * The drill pod's steps run as the manifest wires them: the env of each container (field refs
 * resolved to the pod's name), each volume a folder shared between the steps, with the Vault
 * double standing in for the Vault sidecar and s3rver for the bucket.
 */
const MANIFESTS = join(__dirname, '..');
const BUCKET = 'drill';
const POD_NAME = 'vault-raft-backup-drill-29430000-x7k2q';
const CANARY = 'canary-value-31337';

let s3: S3Server;
let source: VaultDouble;
let work: string;
const closers: (() => Promise<void>)[] = [];

beforeAll(async () => {
  s3 = await startS3Server({ buckets: [BUCKET] });
  source = await startVaultDouble({ secretShares: 3, secretThreshold: 2 });
  source.putSecret('drill-canary', { value: CANARY });
});
afterAll(async () => {
  await source.close();
  await s3.close();
});
beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'drill-'));
});
afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c()));
  rmSync(work, { recursive: true, force: true });
});

/** The rendered drill (Yandex overlay) with opt-in components applied as kustomize applies their patches. */
function drillPod(components: string[]): { init: ContainerLike[]; main: ContainerLike[]; volumes: VolumeLike[] } {
  let cron = render(join(MANIFESTS, 'drill', 'overlays', 'yandex')).find((o) => o.kind === 'CronJob') as K8sObject;
  for (const name of components) {
    const dir = join(MANIFESTS, 'drill', 'components', name);
    const k = readYamlFile(join(dir, 'kustomization.yaml')) as { patches: { path: string }[] };
    for (const { path } of k.patches) for (const patch of readYamlDocuments(join(dir, path))) cron = strategicMerge(cron, patch) as K8sObject;
  }
  const [pod] = podsOf([cron], 'drill');
  if (!pod) throw new Error('no pod in the drill');
  return { init: pod.initContainers, main: pod.containers, volumes: pod.volumes };
}

/** The environment of one container as the kubelet would give it, with its mounts mapped to the shared folders. */
function envOf(c: ContainerLike, vault: VaultDouble, overrides: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const e of c.env ?? []) {
    const field = (e.valueFrom as { fieldRef?: { fieldPath?: string } } | undefined)?.fieldRef?.fieldPath;
    let value = e.value ?? (field === 'metadata.name' ? POD_NAME : undefined);
    if (value === undefined) throw new Error(`env ${e.name} of ${c.name}: no value`);
    for (const m of c.volumeMounts ?? []) if (value.startsWith(`${m.mountPath}/`) || value === m.mountPath) value = join(work, m.name, value.slice(m.mountPath.length));
    env[e.name] = value;
  }
  if (env.VAULT_ADDR) env.VAULT_ADDR = vault.url;
  if (env.S3_BUCKET) {
    // the bucket, region and endpoint of the overlay become the local server's; the keys still come from the mounted Secret files
    const { AWS_ACCESS_KEY_ID: _id, AWS_SECRET_ACCESS_KEY: _secret, ...where } = s3.env();
    Object.assign(env, where, { S3_BUCKET: BUCKET });
  }
  return { ...env, ...overrides };
}

/** Volumes as folders, Secrets filled with what the drill's opt-in Secrets would hold. */
function prepareVolumes(volumes: VolumeLike[], secrets: Record<string, string>): void {
  for (const v of volumes) {
    mkdirSync(join(work, v.name), { recursive: true });
    for (const item of v.secret?.items ?? []) {
      const value = secrets[`${v.name}/${item.key}`];
      if (value !== undefined) writeFileSync(join(work, v.name, item.path), value, { mode: 0o600 });
    }
  }
}

/** A backup into the bucket, as the backup CronJob leaves it; `takenAgoHours` ages the snapshot. */
async function backup(takenAgoHours = 1): Promise<void> {
  const dir = join(work, 'backup');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'vault.snap');
  const take = await runBundle('snapshot-taker', { env: { VAULT_ADDR: source.url, VAULT_TOKEN: source.rootToken, VAULT_REVOKE_TOKEN: 'false', SNAPSHOT_FILE: file } });
  expect(take.code).toBe(0);
  const record = JSON.parse(readFileSync(`${file}.json`, 'utf8'));
  writeFileSync(`${file}.json`, JSON.stringify({ ...record, takenAt: new Date(Date.now() - takenAgoHours * 3_600_000).toISOString() }));
  const upload = await runBundle('s3-uploader', { env: { ...s3.env(), S3_BUCKET: BUCKET, S3_PREFIX: 'vault/', SNAPSHOT_FILE: file } });
  expect(upload.code).toBe(0);
}

interface Drill {
  fetch: BundleResult;
  run?: BundleResult;
  report?: Record<string, unknown>;
  result?: Record<string, unknown>;
}

/** The pod: restore-fetcher, then (the Vault double as the sidecar) restore-runner, which ends the Job. */
async function drill(components: string[], secrets: Record<string, string>, runnerOverrides: Record<string, string> = {}): Promise<Drill> {
  const pod = drillPod(components);
  prepareVolumes(pod.volumes, { 's3-credentials/access-key-id': s3.env().AWS_ACCESS_KEY_ID ?? '', 's3-credentials/secret-access-key': s3.env().AWS_SECRET_ACCESS_KEY ?? '', ...secrets });
  const vault = await startVaultDouble({ initialized: false, restoreDelayMs: 50 });
  closers.push(() => vault.close());
  const [fetcher, sidecar] = pod.init;
  expect([fetcher?.name, sidecar?.name, (sidecar as { restartPolicy?: string } | undefined)?.restartPolicy]).toEqual(['restore-fetcher', 'vault', 'Always']);
  const fetch = await runBundle('restore-fetcher', { env: envOf(fetcher as ContainerLike, vault) });
  if (fetch.code !== 0) return { fetch };
  const runner = pod.main[0] as ContainerLike;
  const env = envOf(runner, vault, { RESTORE_WAIT_TIMEOUT: '30s', ...runnerOverrides });
  const run = await runBundle('restore-runner', { env, timeoutMs: 90_000 });
  const reportFile = `${env.SNAPSHOT_FILE}.report.json`;
  const report = JSON.parse(readFileSync(reportFile, 'utf8')) as Record<string, unknown>;
  return { fetch, run, report, result: run.lines.find((l) => l.msg === 'drill result') };
}

const KEYS = () => ({ 'source-unseal-keys/keys': source.unsealKeys.join('\n') });
const VERIFY = (value = CANARY) => ({ 'verify/token': source.rootToken, 'verify/canary-value': value });
// The double keeps KV v1 only: the canary of the component is a KV v2 path (secret/data/drill-canary).
const KV1 = { RESTORE_CANARY_PATH: 'secret/drill-canary' };
const statuses = (d: Drill) => ((d.result?.checks ?? []) as { status: string }[]).map((c) => c.status);

describe('the restore drill, as its manifest wires it', () => {
  it('level 1 without the source keys of a Shamir snapshot: passes, and says why levels 2-4 were not reached', async () => {
    await backup();
    const d = await drill(['verify-token'], VERIFY(), KV1);

    expect(d.run?.code).toBe(0);
    expect(d.result).toMatchObject({ level: 'info', reached: 1, required: 1, passed: true });
    expect(statuses(d)).toEqual(['passed', 'not reached', 'not reached', 'not reached']);
    expect(((d.result?.checks ?? []) as { reason?: string }[])[1]?.reason).toMatch(/^no source keys \(VAULT_UNSEAL_KEYS_FILE\)/);
    expect(d.report).toMatchObject({ status: 'restored', unsealedBy: 'none', levels: { reached: 1 } });
  });

  it('level 2 with the source keys', async () => {
    await backup();
    const d = await drill(['source-keys'], KEYS());

    expect(d.run?.code).toBe(0);
    expect(d.result).toMatchObject({ level: 'info', reached: 2, required: 2, passed: true });
    expect(statuses(d)).toEqual(['passed', 'passed', 'not configured', 'not configured']);
  });

  it('level 3 with the source keys and a token of the source cluster', async () => {
    await backup();
    const d = await drill(['source-keys', 'verify-token'], { ...KEYS(), ...VERIFY() }, { RESTORE_CANARY_PATH: '', RESTORE_CANARY_FIELD: '', RESTORE_CANARY_VALUE_FILE: '' });

    expect(d.run?.code).toBe(0);
    expect(d.result).toMatchObject({ level: 'info', reached: 3, required: 3, passed: true });
  });

  it('level 4 with the canary holding the expected value; no secret in any output', async () => {
    await backup();
    const d = await drill(['source-keys', 'verify-token'], { ...KEYS(), ...VERIFY() }, KV1);

    expect(d.run?.code).toBe(0);
    expect(d.result).toMatchObject({ level: 'info', reached: 4, required: 4, passed: true });
    for (const secret of [CANARY, source.rootToken, ...source.unsealKeys]) expect(`${d.fetch.stdout}${d.run?.stdout}${d.run?.stderr}${JSON.stringify(d.report)}`).not.toContain(secret);
  });

  it('a wrong canary value fails the drill at level 4: exit 1, the report and the line say what differs, not the values', async () => {
    await backup();
    const d = await drill(['source-keys', 'verify-token'], { ...KEYS(), ...VERIFY('not-the-canary') }, KV1);

    expect(d.run?.code).toBe(1);
    expect(d.result).toMatchObject({ level: 'error', reached: 3, required: 4, passed: false });
    expect(d.run?.lines.at(-1)).toMatchObject({ level: 'error', code: 'DRILL_FAILED' });
    expect(String(d.run?.lines.at(-1)?.msg)).toContain('canary failed: DRILL_FAILED: the canary secret/drill-canary field value holds another value than RESTORE_CANARY_VALUE');
    expect(d.report).toMatchObject({ status: 'failed' });
    expect(`${d.run?.stdout}`).not.toContain('not-the-canary');
  });

  it('a stale latest snapshot fails the drill in restore-fetcher, naming its age', async () => {
    await backup(30);
    const d = await drill(['source-keys'], KEYS());

    expect(d.fetch.code).toBe(1);
    expect(d.fetch.lines.at(-1)).toMatchObject({ level: 'error', code: 'SNAPSHOT_STALE' });
    expect(String(d.fetch.lines.at(-1)?.msg)).toMatch(/was taken 30\.\d hours ago .*more than RESTORE_MAX_AGE 26\.0 hours: has the backup CronJob stopped\?/);
    expect(d.run).toBeUndefined();
  });

  it('a corrupt object fails the drill in restore-fetcher, and the runner never starts', async () => {
    await backup();
    const key = 'vault/latestbackup.snap';
    const stored = await s3.client().send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    const bytes = Buffer.from((await stored.Body?.transformToByteArray()) ?? []);
    const middle = Math.floor(bytes.length / 2);
    bytes[middle] = (bytes[middle] ?? 0) ^ 0xff;
    await s3.client().send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: bytes, Metadata: stored.Metadata }));

    const d = await drill(['source-keys'], KEYS());

    expect(d.fetch.code).toBe(1);
    expect(String(d.fetch.lines.at(-1)?.code)).toMatch(/^(SNAPSHOT_INVALID|SNAPSHOT_INCOMPLETE|S3_VERIFY_FAILED)$/);
    expect(d.run).toBeUndefined();
  });
});

test('the drill manifest names no live Vault and keeps isolation (a sanity check of the test itself)', () => {
  const pod = drillPod(['source-keys', 'verify-token']);
  const addrs = [...pod.init, ...pod.main].flatMap((c) => (c.env ?? []).filter((e) => e.name === 'VAULT_ADDR').map((e) => e.value));
  expect(addrs).toEqual(['http://127.0.0.1:8200']);
  expect(pod.volumes.every((v) => !isRecord(v.hostPath))).toBe(true);
});
