/**
 * The alert rules, once: monitoring/prometheus-rules.yaml (a plain Prometheus rules file) and
 * monitoring/prometheusrule.yaml (the same groups in a prometheus-operator PrometheusRule) are
 * both generated from here by `npm run monitoring -w @vault-raft-backup/manifests`.
 */

/** Where each alert's runbook section lives. */
export const RUNBOOK_BASE = 'https://github.com/vault-raft-backup/vault-raft-backup/blob/main/docs/MONITORING.md';

/** The settings of the rules; `npm run monitoring -- --missing-after 30h` and so on. */
export interface RuleSettings {
  /** No stored backup for longer than this fires VaultRaftBackupMissing (a daily schedule plus slack). */
  missingAfter: string;
  /** Name of the backup CronJob, for the kube-state-metrics fallback. */
  cronJob: string;
  /** The last snapshot smaller than this share of its median over the last week fires VaultRaftBackupSnapshotShrank. */
  shrinkRatio: number;
  /** No successful restore drill for longer than this fires VaultRaftBackupDrillMissing (a weekly drill plus a day). */
  drillMissingAfter: string;
  /** Name of the drill CronJob, for its kube-state-metrics fallback. */
  drillCronJob: string;
  /** How long VaultRaftBackupRestoreFinished (info) and a failed restore's alert stay up. */
  restoreNoticeFor: string;
}

export const DEFAULT_SETTINGS: RuleSettings = { missingAfter: '26h', cronJob: 'vault-raft-backup', shrinkRatio: 0.5, drillMissingAfter: '8d', drillCronJob: 'vault-raft-backup-drill', restoreNoticeFor: '24h' };

/** One alerting rule as Prometheus reads it. */
export interface AlertRule {
  alert: string;
  expr: string;
  for?: string;
  labels: { severity: 'critical' | 'warning' | 'info' };
  annotations: { summary: string; description: string; runbook_url: string };
}

/** A rule group. */
export interface RuleGroup {
  name: string;
  rules: AlertRule[];
}

const UNIT_SECONDS: Record<string, number> = { m: 60, h: 3600, d: 86_400 };

function parseDuration(value: string): [number, number] {
  const m = /^([1-9]\d*)([mhd])$/.exec(value);
  if (!m?.[1] || !m[2]) throw new Error(`"${value}" is not a duration such as 30m, 26h or 8d`);
  return [Number(m[1]), UNIT_SECONDS[m[2]] ?? 0];
}

/** Seconds of a `30m`, `26h` or `8d` duration. @throws Error for anything else */
export function durationSeconds(value: string): number {
  const [n, unit] = parseDuration(value);
  return n * unit;
}

/** A duration as PromQL seconds that still reads as what was set: `26h` is `26 * 3600`. */
function seconds(value: string): string {
  const [n, unit] = parseDuration(value);
  return `${n} * ${unit}`;
}

const runbook = (alert: string) => `${RUNBOOK_BASE}#${alert.toLowerCase()}`;

function rule(alert: string, severity: AlertRule['labels']['severity'], expr: string, summary: string, description: string): AlertRule {
  return { alert, expr, labels: { severity }, annotations: { summary, description, runbook_url: runbook(alert) } };
}

/** No successful Job of a CronJob for `window`, or none since it was created that long ago (kube-state-metrics). */
function cronJobMissing(cronJob: string, window: string): string {
  const cron = `cronjob="${cronJob}"`;
  return `(time() - max by (namespace, cronjob) (kube_cronjob_status_last_successful_time{${cron}}) > ${window}) or ((time() - max by (namespace, cronjob) (kube_cronjob_created{${cron}}) > ${window}) unless on (namespace, cronjob) kube_cronjob_status_last_successful_time{${cron}})`;
}

function backupRules(s: RuleSettings): AlertRule[] {
  const missing = seconds(s.missingAfter);
  return [
    rule(
      'VaultRaftBackupMissing',
      'critical',
      `time() - max by (job, instance) (vault_raft_backup_last_success_timestamp_seconds{step="s3-uploader"}) > ${missing}`,
      `No Vault backup stored for {{ $labels.instance }} in more than ${s.missingAfter}`,
      `The last backup s3-uploader stored for instance "{{ $labels.instance }}" (job {{ $labels.job }}) is {{ $value | humanizeDuration }} old. Check first: the CronJob's recent Jobs (kubectl get jobs -n <namespace>) and whether VaultRaftBackupFailing names a step and error code; then the logs of that step's container.`,
    ),
    rule(
      'VaultRaftBackupCronJobMissing',
      'critical',
      cronJobMissing(s.cronJob, missing),
      `CronJob {{ $labels.namespace }}/{{ $labels.cronjob }} has had no successful Job in more than ${s.missingAfter}`,
      `kube-state-metrics reports no successful Job of CronJob {{ $labels.namespace }}/{{ $labels.cronjob }} for {{ $value | humanizeDuration }} (the fallback that needs no Pushgateway). Check first: kubectl describe cronjob -n {{ $labels.namespace }} {{ $labels.cronjob }} (suspended? missed schedules?), then the last failed Job's pod and its containers' logs.`,
    ),
    rule(
      'VaultRaftBackupFailing',
      'warning',
      'vault_raft_backup_last_run_success == 0',
      'Backup step {{ $labels.step }} failed for {{ $labels.instance }} ({{ $labels.error_code }})',
      'The last run of {{ $labels.step }} for instance "{{ $labels.instance }}" failed with error code {{ $labels.error_code }}; the steps after it did not run. Check first: the error line at the end of that container\'s log (kubectl logs job/<job> -c {{ $labels.step }}); docs/MONITORING.md lists what each code usually means.',
    ),
    rule(
      'VaultRaftBackupSnapshotShrank',
      'warning',
      `max by (job, instance) (vault_raft_backup_snapshot_bytes{step="snapshot-taker"}) < ${s.shrinkRatio} * max by (job, instance) (quantile_over_time(0.5, vault_raft_backup_snapshot_bytes{step="snapshot-taker"}[7d]))`,
      'The Vault snapshot of {{ $labels.instance }} shrank sharply',
      `The last snapshot of instance "{{ $labels.instance }}" is {{ $value | humanize1024 }}B, less than ${s.shrinkRatio} of its median over the last 7 days: Vault may have been emptied, re-initialized or had a mount deleted. Check first: Vault's audit log for deletes and sys/init, and vault_raft_backup_snapshot_raft_index (a drop means a new cluster); keep the older snapshots (raise BACKUP_RETAIN) until it is explained.`,
    ),
  ];
}

function drillRules(s: RuleSettings): AlertRule[] {
  const missing = seconds(s.drillMissingAfter);
  return [
    rule(
      'VaultRaftBackupDrillFailing',
      'critical',
      'vault_raft_backup_drill_last_run_success == 0',
      'The restore drill of {{ $labels.instance }} failed ({{ $labels.error_code }})',
      'The last restore drill of instance "{{ $labels.instance }}" failed with error code {{ $labels.error_code }}: the latest backup may not restore. Check first: vault_raft_backup_drill_level against vault_raft_backup_drill_level_required (how far it got: 1 applied, 2 unsealed and active, 3 source token valid, 4 canary), then the "drill result" line of the drill Job\'s restore-runner log.',
    ),
    rule(
      'VaultRaftBackupDrillMissing',
      'warning',
      `time() - max by (job, instance) (vault_raft_backup_drill_last_success_timestamp_seconds) > ${missing}`,
      `No successful restore drill for {{ $labels.instance }} in more than ${s.drillMissingAfter}`,
      'The last restore drill of instance "{{ $labels.instance }}" that succeeded was {{ $value | humanizeDuration }} ago. Check first: whether the drill CronJob is suspended or its Jobs fail before they push (kubectl get jobs), then VaultRaftBackupDrillFailing.',
    ),
    rule(
      'VaultRaftBackupDrillCronJobMissing',
      'warning',
      cronJobMissing(s.drillCronJob, missing),
      `CronJob {{ $labels.namespace }}/{{ $labels.cronjob }} has had no successful drill in more than ${s.drillMissingAfter}`,
      `kube-state-metrics reports no successful Job of the restore drill {{ $labels.namespace }}/{{ $labels.cronjob }} for {{ $value | humanizeDuration }} (the fallback that needs no Pushgateway; a drill whose restore-fetcher failed, e.g. on a stale backup, pushes nothing). Check first: the last drill Job's restore-fetcher and restore-runner logs (kubectl logs job/<job> -c restore-fetcher), then kubectl describe cronjob -n {{ $labels.namespace }} {{ $labels.cronjob }}.`,
    ),
  ];
}

function restoreRules(s: RuleSettings): AlertRule[] {
  const notice = seconds(s.restoreNoticeFor);
  return [
    rule(
      'VaultRaftBackupRestoreFinished',
      'info',
      `time() - max by (job, instance) (vault_raft_backup_restore_last_success_timestamp_seconds{step="restore-runner"}) < ${notice}`,
      'A Vault restore finished for {{ $labels.instance }}',
      `restore-runner restored a snapshot into instance "{{ $labels.instance }}" {{ $value | humanizeDuration }} ago (this notice stays up for ${s.restoreNoticeFor}). Check first: that this restore was intended, how old the restored snapshot is (vault_raft_backup_restore_snapshot_timestamp_seconds), then take the restore containers away as docs/RESTORE.md says.`,
    ),
    rule(
      'VaultRaftBackupRestoreFailed',
      'warning',
      `(vault_raft_backup_restore_last_run_success == 0) and on (job, instance, step) (time() - vault_raft_backup_restore_last_run_timestamp_seconds < ${notice})`,
      'Restore step {{ $labels.step }} failed for {{ $labels.instance }} ({{ $labels.error_code }})',
      `{{ $labels.step }} failed with error code {{ $labels.error_code }} while restoring instance "{{ $labels.instance }}" (this alert stays up for ${s.restoreNoticeFor} after the failure). Check first: the error table of docs/RESTORE.md for that code, and the container's log.`,
    ),
  ];
}

/** The rule groups for the given settings. */
export function ruleGroups(settings: RuleSettings = DEFAULT_SETTINGS): RuleGroup[] {
  return [
    { name: 'vault-raft-backup', rules: backupRules(settings) },
    { name: 'vault-raft-backup-drill', rules: drillRules(settings) },
    { name: 'vault-raft-backup-restore', rules: restoreRules(settings) },
  ];
}
