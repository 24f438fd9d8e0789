import { z } from 'zod';
import { duration, httpUrl } from '../config/fields';

/** The URL without userinfo and without a trailing slash: the only form that is logged. */
export function displayUrl(value: string): string {
  const url = new URL(value);
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/** `Authorization` header value for a URL's `user:password@`, or undefined without userinfo. */
export function basicAuthOf(value: string): string | undefined {
  const url = new URL(value);
  if (url.username === '' && url.password === '') return undefined;
  const decode = (v: string) => {
    try {
      return decodeURIComponent(v);
    } catch {
      return v;
    }
  };
  const pair = `${decode(url.username)}:${decode(url.password)}`;
  return `Basic ${Buffer.from(pair, 'utf8').toString('base64')}`;
}

/** The gateway's base URL: the path to a group is built from METRICS_JOB, METRICS_INSTANCE and the step. */
const pushgatewayUrl = httpUrl().refine((v) => !/\/metrics(\/|$)/.test(new URL(v).pathname), {
  message: 'must be the Pushgateway\'s base URL, without /metrics/job/... (the path is built from METRICS_JOB, METRICS_INSTANCE and the step)',
});

/** The metrics variables every entrypoint accepts, spread into its own schema. */
export const metricsEnvShape = {
  PROMETHEUS_PUSHGATEWAY_URL: pushgatewayUrl
    .optional()
    .describe('Pushgateway to push this step\'s metrics to at the end of every run, e.g. http://prometheus-pushgateway.monitoring.svc:9091 (unset: no push; a path prefix is allowed; user:password@ is sent as basic auth and never logged)'),
  METRICS_JOB: z.string().min(1, 'must not be empty').default('vault-raft-backup').describe('job label of the pushed metrics (first label of the grouping key)'),
  METRICS_INSTANCE: z.string().optional().describe('instance label of the pushed metrics, e.g. the cluster name (unset: instance="")'),
  METRICS_PUSH_TIMEOUT: duration('5s', { max: 60_000 }).describe('time budget of one push, its single retry included; a failed or slow push is a warning and never fails the run'),
  METRICS_TEXTFILE: z
    .string()
    .regex(/^\/.*\.prom$/, 'must be an absolute path ending in .prom (node-exporter\'s textfile collector reads only *.prom)')
    .optional()
    .describe('also write the metrics to this file, atomically, for node-exporter\'s textfile collector'),
};

/** The parsed metrics variables. */
export type MetricsConfig = z.output<z.ZodObject<typeof metricsEnvShape>>;

/** True when the configuration asks for metrics at all (a push or a text file). */
export function metricsEnabled(config: Pick<MetricsConfig, 'PROMETHEUS_PUSHGATEWAY_URL' | 'METRICS_TEXTFILE'>): boolean {
  return config.PROMETHEUS_PUSHGATEWAY_URL !== undefined || config.METRICS_TEXTFILE !== undefined;
}
