import { z } from 'zod';
import { parseEnv } from '../config/parse-env';
import type { RunEnd } from '../run-main';
import { METRIC_PREFIX, type MetricsKind, RUN_METRICS, VALUE_METRICS, type ValueName } from './catalogue';
import { type MetricsConfig, metricsEnvShape } from './env';
import { type MetricFamily, renderText } from './exposition';
import { type GroupingKey, groupingPath } from './grouping';
import { pushMetrics } from './push';
import { writeMetricsTextfile } from './textfile';

/** The metrics of one run of one step: values recorded during the run, pushed once at its end. */
export interface RunMetrics<K extends MetricsKind> {
  readonly kind: K;
  readonly step: string;
  /** Records a value of this family (e.g. `snapshot_bytes`); the last value set is pushed. */
  set(name: ValueName<K>, value: number): RunMetrics<K>;
  /** This run has nothing to report (e.g. `--list`, or a pod that does not restore): nothing is pushed. */
  skip(): void;
  /**
   * Pushes the run metrics and the recorded values (and writes METRICS_TEXTFILE), once: later calls
   * do nothing. Never throws and never takes longer than METRICS_PUSH_TIMEOUT; pass it as runMain's `atEnd`.
   */
  finish(end: RunEnd): Promise<void>;
}

/** The grouping key of a step: job, instance when set, step. One group per step, so no step's push replaces another's. */
export function groupingKeyOf(config: Pick<MetricsConfig, 'METRICS_JOB' | 'METRICS_INSTANCE'>, step: string): GroupingKey {
  return [['job', config.METRICS_JOB], ...(config.METRICS_INSTANCE ? [['instance', config.METRICS_INSTANCE] as const] : []), ['step', step]];
}

/**
 * The families of a run: last_run_* and duration always, last_success_timestamp_seconds only on
 * success (so that a push of a failed run, a POST, leaves the last good run's in place), then values.
 */
export function runFamilies<K extends MetricsKind>(kind: K, end: Pick<RunEnd, 'exitCode' | 'errorCode' | 'startedAt' | 'endedAt'>, values: ReadonlyMap<string, number>): MetricFamily[] {
  const prefix = METRIC_PREFIX[kind];
  const gauge = (suffix: string, help: string, value: number, labels: Record<string, string> = {}): MetricFamily => ({ name: `${prefix}_${suffix}`, help, type: 'gauge', samples: [{ labels, value }] });
  const ok = end.exitCode === 0;
  const endedAt = end.endedAt / 1000;
  const families = [
    gauge('last_run_timestamp_seconds', RUN_METRICS.last_run_timestamp_seconds.help, endedAt),
    gauge('last_run_success', RUN_METRICS.last_run_success.help, ok ? 1 : 0, ok ? {} : { error_code: end.errorCode ?? 'UNEXPECTED' }),
    gauge('duration_seconds', RUN_METRICS.duration_seconds.help, Math.max(0, end.endedAt - end.startedAt) / 1000),
  ];
  if (ok) families.splice(1, 0, gauge('last_success_timestamp_seconds', RUN_METRICS.last_success_timestamp_seconds.help, endedAt));
  const docs = VALUE_METRICS[kind] as Record<string, { help: string }>;
  for (const [name, value] of values) families.push(gauge(name, docs[name]?.help ?? '', value));
  return families;
}

const metricsOnly = { schema: z.object(metricsEnvShape) };

/** Reads the metrics variables on their own: a run whose other variables are wrong still reports CONFIG_INVALID. */
function metricsConfigOf(env: RunEnd['env']): MetricsConfig | undefined {
  try {
    return parseEnv(metricsOnly, env);
  } catch {
    // the same problems are in the run's own CONFIG_INVALID line
    return undefined;
  }
}

/**
 * The metrics of a run of `step` in family `kind`. A drill is one more family:
 * `createRunMetrics('drill', 'restore-runner').set('level', reached)`.
 */
export function createRunMetrics<K extends MetricsKind>(kind: K, step: string): RunMetrics<K> {
  const values = new Map<string, number>();
  let done = false;
  const metrics: RunMetrics<K> = {
    kind,
    step,
    set(name, value) {
      values.set(name, value);
      return metrics;
    },
    skip() {
      done = true;
    },
    async finish(end) {
      if (done) return;
      done = true;
      const config = metricsConfigOf(end.env);
      if (!config || (config.PROMETHEUS_PUSHGATEWAY_URL === undefined && config.METRICS_TEXTFILE === undefined)) return;
      const families = runFamilies(kind, end, values);
      const key = groupingKeyOf(config, step);
      await Promise.all([
        config.PROMETHEUS_PUSHGATEWAY_URL === undefined
          ? undefined
          : pushMetrics({ url: config.PROMETHEUS_PUSHGATEWAY_URL, path: groupingPath(key), body: renderText(families), timeoutMs: config.METRICS_PUSH_TIMEOUT, log: end.log }),
        config.METRICS_TEXTFILE === undefined ? undefined : writeMetricsTextfile(config.METRICS_TEXTFILE, families, Object.fromEntries(key), end.log),
      ]);
    },
  };
  return metrics;
}
