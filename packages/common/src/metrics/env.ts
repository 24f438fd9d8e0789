import { z } from 'zod';
import { duration } from '../config/fields';
import { registerSecret } from '../log';

/**
 * Checks a Pushgateway URL: http(s), a host, an optional path prefix (a gateway behind a
 * reverse proxy), no query or fragment. Returns the problem, or undefined. Never repeats the
 * value: it may hold a password.
 */
export function pushgatewayUrlProblem(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be an http:// or https:// URL such as http://pushgateway.monitoring.svc:9091';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must be an http:// or https:// URL';
  if (url.hostname === '') return 'must name a host';
  if (url.search !== '' || url.hash !== '') return 'must not have a query or fragment (the path to push to is built from METRICS_JOB, METRICS_INSTANCE and the step)';
  if (/\/metrics(\/|$)/.test(url.pathname)) return 'must be the Pushgateway\'s base URL, without /metrics/job/...';
  return undefined;
}

/** The URL without userinfo and without a trailing slash: the only form that is logged. */
export function displayUrl(value: string): string {
  const url = new URL(value);
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/** `Authorization` header value for a URL's `user:password@`, or undefined without userinfo. */
export function basicAuthOf(value: string): string | undefined {
  const url = new URL(value);
  if (url.username === '' && url.password === '') return undefined;
  const pair = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
  return `Basic ${Buffer.from(pair, 'utf8').toString('base64')}`;
}

const pushgatewayUrl = z.string().transform((v, ctx) => {
  const problem = pushgatewayUrlProblem(v);
  if (problem) {
    ctx.addIssue({ code: 'custom', message: problem });
    return z.NEVER;
  }
  const url = new URL(v);
  // userinfo is a credential: scrubbed from every log line, whatever prints it
  registerSecret(decodeURIComponent(url.password));
  registerSecret(url.password);
  return v;
});

/** The metrics variables every entrypoint accepts, spread into its own schema. */
export const metricsEnvShape = {
  PROMETHEUS_PUSHGATEWAY_URL: pushgatewayUrl
    .optional()
    .describe('Pushgateway to push this step\'s metrics to at the end of every run, e.g. http://prometheus-pushgateway.monitoring.svc:9091 (unset: no push; user:password@ is sent as basic auth)'),
  METRICS_JOB: z.string().min(1, 'must not be empty').default('vault-raft-backup').describe('job label of the pushed metrics (first label of the grouping key)'),
  METRICS_INSTANCE: z.string().optional().describe('instance label of the pushed metrics, e.g. the cluster name (unset: instance="")'),
  METRICS_PUSH_TIMEOUT: duration('5s').describe('time budget of one push, its single retry included; a failed or slow push is a warning and never fails the run'),
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
