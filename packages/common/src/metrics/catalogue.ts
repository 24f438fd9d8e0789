/**
 * Every metric the steps push, in one place: docs/MONITORING.md's table, the alert rules and the
 * dashboard are checked against this list. All are gauges: a pushed Job starts from zero on every
 * run, so a counter would only ever count to one (docs/MONITORING.md shows how to count failures).
 */

/** The three families of pushed metrics, each with its own name prefix. */
export type MetricsKind = 'backup' | 'restore' | 'drill';

/** Name prefix of each family (Prometheus naming: snake_case, the unit as suffix). */
export const METRIC_PREFIX: Record<MetricsKind, string> = {
  backup: 'vault_raft_backup',
  restore: 'vault_raft_backup_restore',
  drill: 'vault_raft_backup_drill',
};

/** Steps that push each family (the `step` label of the grouping key). */
export const KIND_STEPS: Record<MetricsKind, readonly string[]> = {
  backup: ['approle-login', 'kubernetes-login', 'snapshot-taker', 's3-uploader'],
  restore: ['restore-fetcher', 'restore-runner'],
  drill: ['restore-runner'],
};

interface MetricDoc {
  help: string;
  /** Labels besides the grouping key's job, instance and step. */
  labels?: readonly string[];
  /** Steps that push it; every step of the family when unset. */
  steps?: readonly string[];
}

/** Pushed by every step of every family at the end of each run. */
export const RUN_METRICS = {
  last_run_timestamp_seconds: { help: 'Unix time at which the last run of this step ended, success or failure.' },
  last_run_success: { help: '1 if the last run of this step succeeded, 0 if it failed (error_code names the failure).', labels: ['error_code'] },
  last_success_timestamp_seconds: { help: 'Unix time at which the last successful run of this step ended; a failed run leaves it as it was.' },
  duration_seconds: { help: 'Duration of the last run of this step in seconds, success or failure.' },
} as const satisfies Record<string, MetricDoc>;

/** Values a step records during its run; pushed with the run metrics when set. */
export const VALUE_METRICS = {
  backup: {
    snapshot_bytes: { help: 'Size in bytes of the last snapshot this step verified (taken or stored).', steps: ['snapshot-taker', 's3-uploader'] },
    snapshot_raft_index: { help: 'Raft index of the last snapshot taken: how far the backup reaches into Vault\'s log.', steps: ['snapshot-taker'] },
    retained_snapshots: { help: 'Timestamped snapshots under the S3 prefix after the last run\'s retention.', steps: ['s3-uploader'] },
    deleted_snapshots: { help: 'Snapshots the last run\'s retention deleted.', steps: ['s3-uploader'] },
  },
  restore: {
    snapshot_bytes: { help: 'Size in bytes of the snapshot this step last fetched or restored.' },
    snapshot_raft_index: { help: 'Raft index of the snapshot this step last fetched or restored.' },
    snapshot_timestamp_seconds: { help: 'Unix time at which the restored snapshot was taken: the restore lost what Vault wrote after it.', steps: ['restore-runner'] },
  },
  drill: {
    level: { help: 'Highest level the last restore drill reached: 0 none, 1 applied, 2 unsealed and active, 3 source token valid, 4 canary.' },
    level_required: { help: 'Level the last restore drill had to reach (RESTORE_DRILL_MIN_LEVEL, or the highest its configuration makes reachable).' },
    snapshot_timestamp_seconds: { help: 'Unix time at which the snapshot the last restore drill restored was taken.' },
  },
} as const satisfies Record<MetricsKind, Record<string, MetricDoc>>;

/** Names of the values a family can record. */
export type ValueName<K extends MetricsKind> = keyof (typeof VALUE_METRICS)[K] & string;

/** One row of the metrics table. */
export interface CatalogueRow {
  name: string;
  type: 'gauge';
  labels: readonly string[];
  steps: readonly string[];
  help: string;
}

/** Grouping-key labels every pushed metric carries. */
export const GROUPING_LABELS = ['job', 'instance', 'step'] as const;

/** Every metric name with its labels, steps and meaning, family by family. */
export function metricCatalogue(): CatalogueRow[] {
  const rows: CatalogueRow[] = [];
  for (const kind of Object.keys(METRIC_PREFIX) as MetricsKind[]) {
    const docs: [string, MetricDoc][] = [...Object.entries(RUN_METRICS), ...Object.entries(VALUE_METRICS[kind])];
    for (const [suffix, doc] of docs) {
      rows.push({ name: `${METRIC_PREFIX[kind]}_${suffix}`, type: 'gauge', labels: [...GROUPING_LABELS, ...(doc.labels ?? [])], steps: doc.steps ?? KIND_STEPS[kind], help: doc.help });
    }
  }
  return rows;
}
