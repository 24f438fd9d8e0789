import { z } from 'zod';
import { ConfigError, createLogger, groupingKeyOf, groupingPath, metricCatalogue, metricsEnabled, metricsEnvShape, parseEnv, parseText, renderText, runFamilies } from '../src/index';

const spec = { schema: z.object(metricsEnvShape) };

function problemsOf(env: Record<string, string>): string[] {
  try {
    parseEnv(spec, env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('text exposition format 0.0.4', () => {
  it('renders HELP, TYPE and one line per sample, escaping help and label values, ending in LF', () => {
    const text = renderText([
      { name: 'm_total', help: 'a \\ back\nslash', type: 'counter', samples: [{ labels: { a: 'quote " and \\ and\nnewline' }, value: 3 }] },
      { name: 'g', help: 'gauge', type: 'gauge', samples: [{ labels: {}, value: 1700000000.25 }, { labels: { x: 'y' }, value: Number.NaN }, { labels: { x: 'z' }, value: Number.POSITIVE_INFINITY }] },
    ]);

    expect(text).toBe(
      [
        '# HELP m_total a \\\\ back\\nslash',
        '# TYPE m_total counter',
        'm_total{a="quote \\" and \\\\ and\\nnewline"} 3',
        '# HELP g gauge',
        '# TYPE g gauge',
        'g 1700000000.25',
        'g{x="y"} NaN',
        'g{x="z"} +Inf',
        '',
      ].join('\n'),
    );
  });

  it('reads back what it writes, escapes included', () => {
    const families = [{ name: 'g', help: 'h "quoted" \\ x', type: 'gauge' as const, samples: [{ labels: { a: 'v,"}\\\n', b: '' }, value: -1.5 }] }];

    expect(parseText(renderText(families))).toEqual(families);
  });

  it('refuses names the format cannot carry', () => {
    expect(() => renderText([{ name: 'bad-name', help: '', type: 'gauge', samples: [] }])).toThrow(/invalid metric name/);
    expect(() => renderText([{ name: 'ok', help: '', type: 'gauge', samples: [{ labels: { __reserved: 'x' }, value: 1 }] }])).toThrow(/invalid label name/);
  });
});

describe('grouping key', () => {
  it('is job, instance when set, then step: one group per step', () => {
    expect(groupingPath(groupingKeyOf({ METRICS_JOB: 'vault-raft-backup', METRICS_INSTANCE: 'prod-eu' }, 's3-uploader'))).toBe('/metrics/job/vault-raft-backup/instance/prod-eu/step/s3-uploader');
    expect(groupingPath(groupingKeyOf({ METRICS_JOB: 'vault-raft-backup', METRICS_INSTANCE: undefined }, 'approle-login'))).toBe('/metrics/job/vault-raft-backup/step/approle-login');
  });

  it('base64-encodes a value with a slash and an empty value, and URI-encodes the rest', () => {
    expect(groupingPath([['job', 'a/b'], ['instance', ''], ['step', 'x y']])).toBe('/metrics/job@base64/YS9i/instance@base64/=/step/x%20y');
  });

  it('must start with a non-empty job', () => {
    expect(() => groupingPath([['instance', 'x']])).toThrow(/job/);
    expect(() => groupingPath([['job', '']])).toThrow(/job/);
  });
});

describe('run families', () => {
  const end = { startedAt: 1_700_000_000_000, endedAt: 1_700_000_012_500 };
  const names = (fs: ReturnType<typeof runFamilies>) => fs.map((f) => f.name);

  it('a success carries last_success_timestamp_seconds and the recorded values', () => {
    const families = runFamilies('backup', { ...end, exitCode: 0 }, new Map([['snapshot_bytes', 42]]));

    expect(names(families)).toEqual([
      'vault_raft_backup_last_run_timestamp_seconds',
      'vault_raft_backup_last_success_timestamp_seconds',
      'vault_raft_backup_last_run_success',
      'vault_raft_backup_duration_seconds',
      'vault_raft_backup_snapshot_bytes',
    ]);
    expect(renderText(families)).toContain('vault_raft_backup_last_success_timestamp_seconds 1700000012.5\n');
    expect(renderText(families)).toContain('vault_raft_backup_duration_seconds 12.5\n');
    expect(renderText(families)).toContain('vault_raft_backup_last_run_success 1\n');
  });

  it('a failure has no last_success_timestamp_seconds (so the last good one stays) and names its error code', () => {
    const text = renderText(runFamilies('restore', { ...end, exitCode: 1, errorCode: 'S3_NOT_FOUND' }, new Map()));

    expect(text).not.toContain('last_success_timestamp_seconds');
    expect(text).toContain('vault_raft_backup_restore_last_run_success{error_code="S3_NOT_FOUND"} 0\n');
    expect(text).toContain('vault_raft_backup_restore_last_run_timestamp_seconds 1700000012.5\n');
  });

  it('every name of every family is in the catalogue, with the prefix and a unit suffix where it has a unit', () => {
    const catalogue = new Set(metricCatalogue().map((r) => r.name));
    for (const kind of ['backup', 'restore', 'drill'] as const) {
      for (const f of runFamilies(kind, { ...end, exitCode: 0 }, new Map())) expect(catalogue).toContain(f.name);
    }
    for (const name of catalogue) {
      expect(name).toMatch(/^vault_raft_backup_[a-z_]+$/);
      expect(name).not.toMatch(/_total$/);
      if (/bytes|seconds/.test(name)) expect(name).toMatch(/_(bytes|seconds)$/);
    }
  });
});

describe('metrics variables', () => {
  it('default to no push, job vault-raft-backup, a 5 s budget', () => {
    const c = parseEnv(spec, {});

    expect(c).toEqual({ METRICS_JOB: 'vault-raft-backup', METRICS_PUSH_TIMEOUT: 5000 });
    expect(metricsEnabled(c)).toBe(false);
    expect(metricsEnabled(parseEnv(spec, { METRICS_TEXTFILE: '/var/lib/node-exporter/vault.prom' }))).toBe(true);
  });

  it.each([
    ['pushgateway:9091', /http:\/\/ or https:\/\//],
    ['ftp://gw:9091', /http:\/\/ or https:\/\//],
    ['http://gw:9091/?x=1', /query/],
    ['http://gw:99999', /port/],
    ['http://gw:9091/metrics/job/x', /base URL/],
  ])('reject the Pushgateway URL %s', (url, message) => {
    const problems = problemsOf({ PROMETHEUS_PUSHGATEWAY_URL: url });

    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^PROMETHEUS_PUSHGATEWAY_URL: /);
    expect(problems[0]).toMatch(message);
  });

  it('accept a path prefix and userinfo, and neither a problem nor a log line shows the password', () => {
    const lines: string[] = [];
    const log = createLogger({ component: 't', write: (l) => lines.push(l) });

    const c = parseEnv(spec, { PROMETHEUS_PUSHGATEWAY_URL: 'https://pusher:pa55-w0rd@gw.example/pushgateway' });
    log.warn(`pushing to ${c.PROMETHEUS_PUSHGATEWAY_URL}`);
    const problems = problemsOf({ PROMETHEUS_PUSHGATEWAY_URL: 'http://u:pa55-w0rd@gw:9091/?q' });

    expect(c.PROMETHEUS_PUSHGATEWAY_URL).toBe('https://pusher:pa55-w0rd@gw.example/pushgateway');
    expect(lines.join('')).not.toContain('pa55-w0rd');
    expect(problems.join('')).not.toContain('pa55-w0rd');
  });

  it('list every wrong metrics variable at once', () => {
    const problems = problemsOf({ METRICS_PUSH_TIMEOUT: '5m', METRICS_TEXTFILE: 'metrics.txt', PROMETHEUS_PUSHGATEWAY_URL: 'gw' });

    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual(['METRICS_PUSH_TIMEOUT', 'METRICS_TEXTFILE', 'PROMETHEUS_PUSHGATEWAY_URL']);
  });
});
