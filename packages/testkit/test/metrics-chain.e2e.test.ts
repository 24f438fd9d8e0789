import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type MetricFamily, metricCatalogue } from '@vault-raft-backup/common';
import { bundlePath, type BundleResult, type Pushgateway, pushgatewayBinary, repoRoot, runBundle, type S3Server, startPushgateway, startS3Server, startSilentServer, startVaultDouble, type VaultDouble } from '../src/index';

const BUCKET = 'metrics';
const INSTANCE = 'test-cluster';
const POLICY = readFileSync(join(repoRoot(), 'manifests', 'vault', 'snapshot-policy.hcl'), 'utf8');
const missing = pushgatewayBinary() === undefined;

/** The value of one series: name plus the labels that must match (others ignored); undefined when absent. */
function sampleValue(families: MetricFamily[], name: string, labels: Record<string, string>): number | undefined {
  const sample = families.find((f) => f.name === name)?.samples.find((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  return sample?.value;
}

function seriesOf(families: MetricFamily[], name: string, step: string): Record<string, string>[] {
  return (families.find((f) => f.name === name)?.samples ?? []).filter((s) => s.labels.step === step).map((s) => s.labels);
}

const warnings = (r: BundleResult | undefined) => (r?.lines ?? []).filter((l) => l.level === 'warn' && typeof l.msg === 'string' && l.msg.startsWith('metrics push failed'));

if (missing) {
  test('the Pushgateway tests report in one line that they did not run, and fail on CI', () => {
    process.stdout.write('prometheus-pushgateway not found: Pushgateway tests not run (apt-get install prometheus-pushgateway)\n');
    expect(process.env.CI).not.toBe('true');
  });
} else {
  let s3: S3Server;
  let vault: VaultDouble;
  let work: string;

  beforeAll(async () => {
    s3 = await startS3Server({ buckets: [BUCKET] });
    vault = await startVaultDouble({ fillerBytes: 1024 * 1024, secretShares: 3, secretThreshold: 2 });
    vault.writePolicy('vault-raft-backup', POLICY);
  });
  afterAll(async () => {
    await vault.close();
    await s3.close();
  });
  beforeEach(() => {
    work = mkdtempSync(join(tmpdir(), 'metrics-chain-'));
    for (const volume of ['vault-token', 'snapshot', 'restore']) mkdirSync(join(work, volume));
  });
  afterEach(() => rmSync(work, { recursive: true, force: true }));

  /** The CronJob's three containers in order, each pushing to `metricsEnv`. */
  async function backupJob(prefix: string, metricsEnv: Record<string, string>, secretId?: string) {
    const role = vault.createAppRole('vault-raft-backup', { token_policies: ['vault-raft-backup'] });
    const shared = { VAULT_ADDR: vault.url, VAULT_TOKEN_FILE: join(work, 'vault-token', 'token'), SNAPSHOT_FILE: join(work, 'snapshot', 'vault.snap'), ...metricsEnv };
    const login = await runBundle('approle-login', { env: { ...shared, VAULT_ROLE_ID: role.roleId, VAULT_SECRET_ID: secretId ?? role.secretId }, timeoutMs: 30_000 });
    const take = login.code === 0 ? await runBundle('snapshot-taker', { env: shared, timeoutMs: 30_000 }) : undefined;
    const upload = take?.code === 0 ? await runBundle('s3-uploader', { env: { ...s3.env(), ...metricsEnv, SNAPSHOT_FILE: shared.SNAPSHOT_FILE, S3_BUCKET: BUCKET, S3_PREFIX: prefix }, timeoutMs: 30_000 }) : undefined;
    return { login, take, upload, snapshotFile: shared.SNAPSHOT_FILE };
  }

  describe('metrics of the backup chain in a real Pushgateway', () => {
    let gateway: Pushgateway;
    beforeEach(async () => {
      gateway = await startPushgateway();
    });
    afterEach(async () => {
      await gateway.close();
    });

    it('each step pushes to its own group: run outcome, duration, snapshot size and index, retention counts', async () => {
      const before = Date.now() / 1000;

      const job = await backupJob('ok/', { PROMETHEUS_PUSHGATEWAY_URL: gateway.url, METRICS_INSTANCE: INSTANCE });

      const after = Date.now() / 1000;
      expect([job.login.code, job.take?.code, job.upload?.code]).toEqual([0, 0, 0]);
      const m = await gateway.metrics();
      const record = JSON.parse(readFileSync(`${job.snapshotFile}.json`, 'utf8')) as { bytes: number; index: number };
      for (const step of ['approle-login', 'snapshot-taker', 's3-uploader']) {
        const group = { job: 'vault-raft-backup', instance: INSTANCE, step };
        expect(sampleValue(m, 'vault_raft_backup_last_run_success', group)).toBe(1);
        expect(seriesOf(m, 'vault_raft_backup_last_run_success', step)).toEqual([group]);
        const success = sampleValue(m, 'vault_raft_backup_last_success_timestamp_seconds', group) ?? 0;
        expect(success).toBeGreaterThanOrEqual(before);
        expect(success).toBeLessThanOrEqual(after);
        expect(sampleValue(m, 'vault_raft_backup_last_run_timestamp_seconds', group)).toBe(success);
        expect(sampleValue(m, 'vault_raft_backup_duration_seconds', group)).toBeGreaterThan(0);
        // the gateway's own timestamp of the push, which the steps leave to it
        expect(sampleValue(m, 'push_time_seconds', group)).toBeGreaterThanOrEqual(before);
        expect(sampleValue(m, 'push_failure_time_seconds', group)).toBe(0);
      }
      const at = (step: string) => ({ instance: INSTANCE, step });
      expect(sampleValue(m, 'vault_raft_backup_snapshot_bytes', at('snapshot-taker'))).toBe(statSync(job.snapshotFile).size);
      expect(sampleValue(m, 'vault_raft_backup_snapshot_bytes', at('s3-uploader'))).toBe(record.bytes);
      expect(sampleValue(m, 'vault_raft_backup_snapshot_raft_index', at('snapshot-taker'))).toBe(record.index);
      expect(sampleValue(m, 'vault_raft_backup_retained_snapshots', at('s3-uploader'))).toBe(1);
      expect(sampleValue(m, 'vault_raft_backup_deleted_snapshots', at('s3-uploader'))).toBe(0);
      const catalogue = new Map(metricCatalogue().map((r) => [r.name, r.help]));
      for (const f of m.filter((x) => x.name.startsWith('vault_raft_backup_'))) {
        expect(f.type).toBe('gauge');
        expect(f.help).toBe(catalogue.get(f.name));
      }
    });

    it('a failed run says which step failed and why, and keeps the time and size of the last success', async () => {
      const good = await backupJob('fail/', { PROMETHEUS_PUSHGATEWAY_URL: gateway.url, METRICS_INSTANCE: INSTANCE });
      expect(good.upload?.code).toBe(0);
      const m1 = await gateway.metrics();
      const taker = { instance: INSTANCE, step: 'snapshot-taker' };
      const lastGood = sampleValue(m1, 'vault_raft_backup_last_success_timestamp_seconds', taker);
      rmSync(join(work, 'snapshot', 'vault.snap'));
      rmSync(join(work, 'snapshot', 'vault.snap.json'));

      vault.faults.cutSnapshotAfterBytes = 300_000;
      let cut: Awaited<ReturnType<typeof backupJob>>;
      try {
        cut = await backupJob('fail/', { PROMETHEUS_PUSHGATEWAY_URL: gateway.url, METRICS_INSTANCE: INSTANCE });
      } finally {
        vault.faults.cutSnapshotAfterBytes = undefined;
      }

      expect([cut.login.code, cut.take?.code, cut.upload]).toEqual([0, 1, undefined]);
      const m2 = await gateway.metrics();
      expect(seriesOf(m2, 'vault_raft_backup_last_run_success', 'snapshot-taker')).toEqual([{ error_code: 'SNAPSHOT_INCOMPLETE', instance: INSTANCE, job: 'vault-raft-backup', step: 'snapshot-taker' }]);
      expect(sampleValue(m2, 'vault_raft_backup_last_run_success', taker)).toBe(0);
      expect(sampleValue(m2, 'vault_raft_backup_last_success_timestamp_seconds', taker)).toBe(lastGood);
      expect(sampleValue(m2, 'vault_raft_backup_last_run_timestamp_seconds', taker)).toBeGreaterThan(lastGood ?? Number.POSITIVE_INFINITY);
      expect(sampleValue(m2, 'vault_raft_backup_snapshot_bytes', taker)).toBe(sampleValue(m1, 'vault_raft_backup_snapshot_bytes', taker));
      // the uploader did not run: its group is as the good run left it
      expect(sampleValue(m2, 'vault_raft_backup_last_run_success', { step: 's3-uploader' })).toBe(1);
    });

    it('a login that fails and a configuration that is wrong push their error codes too', async () => {
      const login = await backupJob('login/', { PROMETHEUS_PUSHGATEWAY_URL: gateway.url }, 'not-the-secret-id');
      const config = await runBundle('s3-uploader', { env: { ...s3.env(), PROMETHEUS_PUSHGATEWAY_URL: gateway.url, SNAPSHOT_FILE: join(work, 'snapshot', 'vault.snap') }, timeoutMs: 30_000 });

      expect([login.login.code, config.code]).toEqual([1, 2]);
      const m = await gateway.metrics();
      expect(seriesOf(m, 'vault_raft_backup_last_run_success', 'approle-login')).toEqual([{ error_code: 'VAULT_LOGIN_FAILED', instance: '', job: 'vault-raft-backup', step: 'approle-login' }]);
      expect(seriesOf(m, 'vault_raft_backup_last_run_success', 's3-uploader')).toEqual([{ error_code: 'CONFIG_INVALID', instance: '', job: 'vault-raft-backup', step: 's3-uploader' }]);
      expect(sampleValue(m, 'vault_raft_backup_last_success_timestamp_seconds', { step: 'approle-login' })).toBeUndefined();
    });

    it('a restore pushes vault_raft_backup_restore_* for the fetcher and, before it idles, once for the runner', async () => {
      const job = await backupJob('restore/', {});
      expect(job.upload?.code).toBe(0);
      const record = JSON.parse(readFileSync(`${job.snapshotFile}.json`, 'utf8')) as { bytes: number; index: number; takenAt: string };
      const target = await startVaultDouble({ initialized: false });
      const restoreFile = join(work, 'restore', 'vault.snap');
      const keysFile = join(work, 'unseal-keys');
      writeFileSync(keysFile, `${vault.unsealKeys.join('\n')}\n`, { mode: 0o600 });
      const metricsEnv = { PROMETHEUS_PUSHGATEWAY_URL: gateway.url, METRICS_INSTANCE: INSTANCE };
      try {
        const fetcher = await runBundle('restore-fetcher', { env: { ...s3.env(), ...metricsEnv, S3_BUCKET: BUCKET, S3_PREFIX: 'restore/', SNAPSHOT_FILE: restoreFile }, timeoutMs: 30_000 });
        expect(fetcher.code).toBe(0);

        const runner = spawn(process.execPath, [bundlePath('restore-runner')], {
          env: { PATH: process.env.PATH, ...metricsEnv, VAULT_ADDR: target.url, SNAPSHOT_FILE: restoreFile, HOSTNAME: 'vault-0', VAULT_UNSEAL_KEYS_FILE: keysFile },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let out = '';
        runner.stdout.on('data', (d: Buffer) => (out += d.toString()));
        runner.stderr.on('data', (d: Buffer) => (out += d.toString()));
        const exited = new Promise<number | null>((resolve) => runner.once('close', resolve));
        const deadline = Date.now() + 40_000;
        // the push runs when the runner starts to idle; its own log line says it is done (the idle line may come first)
        while (!(out.includes('done; idling until SIGTERM') && out.includes('"msg":"metrics pushed"')) && Date.now() < deadline && runner.exitCode === null) await new Promise((r) => setTimeout(r, 100));
        const whileIdle = await gateway.metrics();
        runner.kill('SIGTERM');
        const code = await exited;

        expect(code).toBe(0);
        expect(out.match(/"msg":"metrics pushed"/g)).toHaveLength(1);
        const m = await gateway.metrics();
        for (const step of ['restore-fetcher', 'restore-runner']) {
          const group = { job: 'vault-raft-backup', instance: INSTANCE, step };
          expect(sampleValue(whileIdle, 'vault_raft_backup_restore_last_run_success', group)).toBe(1);
          expect(sampleValue(m, 'vault_raft_backup_restore_snapshot_bytes', group)).toBe(record.bytes);
          expect(sampleValue(m, 'vault_raft_backup_restore_snapshot_raft_index', group)).toBe(record.index);
        }
        expect(sampleValue(m, 'vault_raft_backup_restore_snapshot_timestamp_seconds', { step: 'restore-runner' })).toBe(Date.parse(record.takenAt) / 1000);
        expect(sampleValue(m, 'vault_raft_backup_restore_last_success_timestamp_seconds', { step: 'restore-runner' })).toBe(sampleValue(whileIdle, 'vault_raft_backup_restore_last_success_timestamp_seconds', { step: 'restore-runner' }));
        expect(m.some((f) => f.name.startsWith('vault_raft_backup_last_run'))).toBe(false);

        // a later run that finds the restore done restores nothing, so it reports nothing
        const again = await runBundle('restore-runner', { env: { ...metricsEnv, VAULT_ADDR: target.url, SNAPSHOT_FILE: restoreFile, HOSTNAME: 'vault-0', VAULT_UNSEAL_KEYS_FILE: keysFile, RESTORE_EXIT_WHEN_DONE: 'true' }, timeoutMs: 30_000 });
        expect(again.code).toBe(0);
        expect(again.lines.some((l) => String(l.msg).startsWith('already restored'))).toBe(true);
        expect(again.lines.some((l) => l.msg === 'metrics pushed')).toBe(false);
        const runnerGroup = { step: 'restore-runner' };
        expect(sampleValue(await gateway.metrics(), 'push_time_seconds', runnerGroup)).toBe(sampleValue(m, 'push_time_seconds', runnerGroup));
      } finally {
        await target.close();
      }
    });
  });

  describe('metrics of a restore drill in a real Pushgateway', () => {
    let gateway: Pushgateway;
    beforeEach(async () => {
      gateway = await startPushgateway();
    });
    afterEach(async () => {
      await gateway.close();
    });

    /** The drill pod's two steps against a fresh Vault; only restore-runner pushes, as docs/MONITORING.md says. */
    async function drillRun(runnerEnv: Record<string, string>) {
      const target = await startVaultDouble({ initialized: false });
      const restoreFile = join(work, 'restore', 'vault.snap');
      try {
        rmSync(join(work, 'restore'), { recursive: true, force: true });
        mkdirSync(join(work, 'restore'));
        const fetcher = await runBundle('restore-fetcher', { env: { ...s3.env(), S3_BUCKET: BUCKET, S3_PREFIX: 'drill/', SNAPSHOT_FILE: restoreFile }, timeoutMs: 30_000 });
        expect(fetcher.code).toBe(0);
        const env = { PROMETHEUS_PUSHGATEWAY_URL: gateway.url, METRICS_INSTANCE: INSTANCE, VAULT_ADDR: target.url, SNAPSHOT_FILE: restoreFile, RESTORE_DRILL: 'true', RESTORE_EXIT_WHEN_DONE: 'true', HOSTNAME: 'drill-0', RESTORE_POD: 'drill-0', ...runnerEnv };
        return await runBundle('restore-runner', { env, timeoutMs: 40_000 });
      } finally {
        await target.close();
      }
    }

    it('pushes vault_raft_backup_drill_* with the level reached and required, and a drill below its level as a failure', async () => {
      const job = await backupJob('drill/', {});
      expect(job.upload?.code).toBe(0);
      const record = JSON.parse(readFileSync(`${job.snapshotFile}.json`, 'utf8')) as { takenAt: string };
      const keysFile = join(work, 'unseal-keys');
      writeFileSync(keysFile, `${vault.unsealKeys.join('\n')}\n`, { mode: 0o600 });
      const group = { job: 'vault-raft-backup', instance: INSTANCE, step: 'restore-runner' };

      const passed = await drillRun({ VAULT_UNSEAL_KEYS_FILE: keysFile });
      const m1 = await gateway.metrics();
      const failed = await drillRun({ RESTORE_DRILL_MIN_LEVEL: '2' });
      const m2 = await gateway.metrics();

      expect([passed.code, failed.code]).toEqual([0, 1]);
      expect(sampleValue(m1, 'vault_raft_backup_drill_last_run_success', group)).toBe(1);
      expect(sampleValue(m1, 'vault_raft_backup_drill_level', group)).toBe(2);
      expect(sampleValue(m1, 'vault_raft_backup_drill_level_required', group)).toBe(2);
      expect(sampleValue(m1, 'vault_raft_backup_drill_snapshot_timestamp_seconds', group)).toBe(Date.parse(record.takenAt) / 1000);
      expect(m1.some((f) => f.name.startsWith('vault_raft_backup_restore_'))).toBe(false);
      expect(seriesOf(m2, 'vault_raft_backup_drill_last_run_success', 'restore-runner')).toEqual([{ ...group, error_code: 'DRILL_FAILED' }]);
      expect(sampleValue(m2, 'vault_raft_backup_drill_level', group)).toBe(1);
      expect(sampleValue(m2, 'vault_raft_backup_drill_level_required', group)).toBe(2);
      expect(sampleValue(m2, 'vault_raft_backup_drill_last_success_timestamp_seconds', group)).toBe(sampleValue(m1, 'vault_raft_backup_drill_last_success_timestamp_seconds', group));
    });
  });

  describe('a Pushgateway that fails', () => {
    it('when it never answers, the backup still exits 0 with one warning per step, within the push budget', async () => {
      const silent = await startSilentServer();
      try {
        const job = await backupJob('silent/', { PROMETHEUS_PUSHGATEWAY_URL: silent.url, METRICS_PUSH_TIMEOUT: '1s' });

        expect([job.login.code, job.take?.code, job.upload?.code]).toEqual([0, 0, 0]);
        expect([job.login.signal, job.take?.signal, job.upload?.signal]).toEqual([null, null, null]);
        for (const r of [job.login, job.take, job.upload]) {
          expect(warnings(r)).toEqual([expect.objectContaining({ problem: 'no answer within METRICS_PUSH_TIMEOUT', attempts: 1 })]);
          // the budget is 1 s; the bound is loose on purpose (a shared machine), it only has to tell "bounded" from "stalled"
          expect(warnings(r)[0]?.durationMs).toBeLessThan(10_000);
        }
        expect(silent.connections()).toBe(3);
        expect(await s3.listKeys(BUCKET, 'silent/')).toHaveLength(2);
      } finally {
        await silent.close();
      }
    });

    it('when it is down, the backup exits 0 and the warning names the refused connection', async () => {
      const gone = await startSilentServer();
      await gone.close();

      const job = await backupJob('down/', { PROMETHEUS_PUSHGATEWAY_URL: gone.url });

      expect([job.login.code, job.take?.code, job.upload?.code]).toEqual([0, 0, 0]);
      expect(warnings(job.upload)).toEqual([expect.objectContaining({ attempts: 2, problem: expect.stringContaining('ECONNREFUSED') })]);
    });

    it('when a run fails, a failed push leaves the exit code of the failure', async () => {
      const gone = await startSilentServer();
      await gone.close();

      const job = await backupJob('down-fail/', { PROMETHEUS_PUSHGATEWAY_URL: gone.url }, 'not-the-secret-id');

      expect(job.login.code).toBe(1);
      expect(job.login.lines.find((l) => l.level === 'error')).toMatchObject({ code: 'VAULT_LOGIN_FAILED' });
      expect(warnings(job.login)).toHaveLength(1);
    });
  });
}
