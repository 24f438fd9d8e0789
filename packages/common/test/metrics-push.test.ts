import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, createRunMetrics, parseText, pushMetrics, type RunEnd, renderText, writeMetricsTextfile } from '../src/index';

interface Received {
  method: string | undefined;
  url: string | undefined;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A local HTTP server that records requests and answers with the next status of `statuses` (the last one repeats); `null` never answers. */
async function gateway(statuses: (number | null)[]) {
  const received: Received[] = [];
  const hanging: ServerResponse[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const status = statuses[Math.min(received.length, statuses.length) - 1];
      if (status === null || status === undefined) {
        hanging.push(res);
        return;
      }
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status >= 400 ? 'pushed metrics are invalid or inconsistent with existing metrics' : '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const close = async () => {
    for (const res of hanging) res.destroy();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return { url, received, close };
}

function capture() {
  const lines: Record<string, unknown>[] = [];
  const raw: string[] = [];
  const log = createLogger({
    component: 'test',
    write: (l) => {
      raw.push(l);
      lines.push(JSON.parse(l) as Record<string, unknown>);
    },
  });
  return { lines, raw, log };
}

const BODY = renderText([{ name: 'vault_raft_backup_last_run_success', help: 'h', type: 'gauge', samples: [{ labels: {}, value: 1 }] }]);

describe('pushMetrics', () => {
  it('POSTs text format 0.0.4 to the group path, sends userinfo as basic auth and never logs it', async () => {
    const gw = await gateway([200]);
    const { lines, raw, log } = capture();
    try {
      const url = gw.url.replace('http://', 'http://pusher:s3cret-pw@');

      const ok = await pushMetrics({ url: `${url}/prefix/`, path: '/metrics/job/j/step/s', body: BODY, timeoutMs: 5000, log });

      expect(ok).toBe(true);
      expect(gw.received).toHaveLength(1);
      expect(gw.received[0]).toMatchObject({ method: 'POST', url: '/prefix/metrics/job/j/step/s', body: BODY });
      expect(gw.received[0]?.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
      expect(gw.received[0]?.headers.authorization).toBe(`Basic ${Buffer.from('pusher:s3cret-pw').toString('base64')}`);
      expect(lines).toEqual([expect.objectContaining({ level: 'info', msg: 'metrics pushed', url: `${gw.url}/prefix/metrics/job/j/step/s`, attempts: 1 })]);
      expect(raw.join('')).not.toContain('s3cret-pw');
      expect(raw.join('')).not.toContain('pusher');
    } finally {
      await gw.close();
    }
  });

  it('retries once after a 5xx and then succeeds', async () => {
    const gw = await gateway([503, 200]);
    const { lines, log } = capture();
    try {
      expect(await pushMetrics({ url: gw.url, path: '/metrics/job/j', body: BODY, timeoutMs: 5000, log })).toBe(true);

      expect(gw.received).toHaveLength(2);
      expect(lines.at(-1)).toMatchObject({ msg: 'metrics pushed', attempts: 2 });
    } finally {
      await gw.close();
    }
  });

  it('does not retry more than once, and a failure is a warning with the status, not an error', async () => {
    const gw = await gateway([500]);
    const { lines, log } = capture();
    try {
      expect(await pushMetrics({ url: gw.url, path: '/metrics/job/j', body: BODY, timeoutMs: 5000, log })).toBe(false);

      expect(gw.received).toHaveLength(2);
      expect(lines).toEqual([expect.objectContaining({ level: 'warn', msg: 'metrics push failed; the outcome of the run is unchanged', attempts: 2, problem: expect.stringMatching(/^HTTP 500/) })]);
    } finally {
      await gw.close();
    }
  });

  it('does not repeat a push the gateway refused with 400', async () => {
    const gw = await gateway([400]);
    const { lines, log } = capture();
    try {
      expect(await pushMetrics({ url: gw.url, path: '/metrics/job/j', body: BODY, timeoutMs: 5000, log })).toBe(false);

      expect(gw.received).toHaveLength(1);
      expect(lines[0]).toMatchObject({ level: 'warn', problem: 'HTTP 400: pushed metrics are invalid or inconsistent with existing metrics' });
    } finally {
      await gw.close();
    }
  });

  it('gives up on a gateway that never answers when its budget is spent, without a retry', async () => {
    const gw = await gateway([null]);
    const { lines, log } = capture();
    try {
      expect(await pushMetrics({ url: gw.url, path: '/metrics/job/j', body: BODY, timeoutMs: 300, log })).toBe(false);

      expect(gw.received).toHaveLength(1);
      expect(lines[0]).toMatchObject({ level: 'warn', problem: 'no answer within METRICS_PUSH_TIMEOUT', attempts: 1 });
    } finally {
      await gw.close();
    }
  });

  it('reports a gateway that is down after one retry', async () => {
    const gw = await gateway([200]);
    await gw.close();
    const { lines, log } = capture();

    expect(await pushMetrics({ url: gw.url, path: '/metrics/job/j', body: BODY, timeoutMs: 5000, log })).toBe(false);

    expect(lines[0]).toMatchObject({ level: 'warn', attempts: 2, problem: expect.stringContaining('ECONNREFUSED') });
  });
});

describe('run metrics at the end of a run', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'metrics-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const endOf = (env: Record<string, string>, exitCode: number, errorCode?: string): RunEnd => ({ exitCode, errorCode, startedAt: 1_700_000_000_000, endedAt: 1_700_000_030_000, env, log: capture().log });

  it('pushes once to the step\'s group, the recorded values included; a second finish does nothing', async () => {
    const gw = await gateway([200]);
    try {
      const metrics = createRunMetrics('backup', 'snapshot-taker').set('snapshot_bytes', 1234).set('snapshot_raft_index', 77);
      const end = endOf({ PROMETHEUS_PUSHGATEWAY_URL: gw.url, METRICS_INSTANCE: 'prod' }, 0);

      await metrics.finish(end);
      await metrics.finish(end);

      expect(gw.received.map((r) => r.url)).toEqual(['/metrics/job/vault-raft-backup/instance/prod/step/snapshot-taker']);
      const pushed = Object.fromEntries(parseText(gw.received[0]?.body ?? '').map((f) => [f.name, f.samples]));
      expect(pushed.vault_raft_backup_snapshot_bytes).toEqual([{ labels: {}, value: 1234 }]);
      expect(pushed.vault_raft_backup_snapshot_raft_index).toEqual([{ labels: {}, value: 77 }]);
      expect(pushed.vault_raft_backup_last_success_timestamp_seconds).toEqual([{ labels: {}, value: 1_700_000_030 }]);
      expect(pushed.push_time_seconds).toBeUndefined();
    } finally {
      await gw.close();
    }
  });

  it('pushes nothing without a URL, after skip(), or when the metrics variables themselves are invalid', async () => {
    const gw = await gateway([200]);
    try {
      await createRunMetrics('backup', 'approle-login').finish(endOf({}, 0));
      const skipped = createRunMetrics('restore', 'restore-fetcher');
      skipped.skip();
      await skipped.finish(endOf({ PROMETHEUS_PUSHGATEWAY_URL: gw.url }, 0));
      await createRunMetrics('backup', 'approle-login').finish(endOf({ PROMETHEUS_PUSHGATEWAY_URL: gw.url, METRICS_PUSH_TIMEOUT: 'soon' }, 2, 'CONFIG_INVALID'));

      expect(gw.received).toEqual([]);
    } finally {
      await gw.close();
    }
  });

  it('pushes a run whose other variables were invalid, with error_code CONFIG_INVALID', async () => {
    const gw = await gateway([200]);
    try {
      await createRunMetrics('backup', 'approle-login').finish(endOf({ PROMETHEUS_PUSHGATEWAY_URL: gw.url, VAULT_ROLE_ID: '' }, 2, 'CONFIG_INVALID'));

      expect(gw.received[0]?.body).toContain('vault_raft_backup_last_run_success{error_code="CONFIG_INVALID"} 0\n');
    } finally {
      await gw.close();
    }
  });

  it('keeps the last success in the text file when a later run fails, and another step\'s lines too', async () => {
    const file = join(dir, 'vault-raft-backup.prom');
    const env = { METRICS_TEXTFILE: file };

    await createRunMetrics('backup', 'snapshot-taker').set('snapshot_bytes', 10).finish(endOf(env, 0));
    await createRunMetrics('backup', 's3-uploader').set('snapshot_bytes', 10).finish(endOf(env, 0));
    await createRunMetrics('backup', 's3-uploader').finish({ ...endOf(env, 1, 'S3_FAILED'), endedAt: 1_700_086_400_000 });

    const families = Object.fromEntries(parseText(readFileSync(file, 'utf8')).map((f) => [f.name, f.samples]));
    expect(families.vault_raft_backup_last_success_timestamp_seconds).toEqual([
      { labels: { job: 'vault-raft-backup', step: 'snapshot-taker' }, value: 1_700_000_030 },
      { labels: { job: 'vault-raft-backup', step: 's3-uploader' }, value: 1_700_000_030 },
    ]);
    expect(families.vault_raft_backup_last_run_success).toEqual([
      { labels: { job: 'vault-raft-backup', step: 'snapshot-taker' }, value: 1 },
      { labels: { error_code: 'S3_FAILED', job: 'vault-raft-backup', step: 's3-uploader' }, value: 0 },
    ]);
    expect(families.vault_raft_backup_snapshot_bytes).toHaveLength(2);
    expect(readdirSync(dir)).toEqual(['vault-raft-backup.prom']);
  });

  it('rewrites a text file it cannot read back, and a file it cannot write is a warning', async () => {
    const file = join(dir, 'x.prom');
    writeFileSync(file, 'this is { not the format\n');
    const { lines, log } = capture();

    const written = await writeMetricsTextfile(file, [{ name: 'g', help: 'h', type: 'gauge', samples: [{ labels: {}, value: 1 }] }], { step: 's' }, log);
    const failed = await writeMetricsTextfile(join(dir, 'missing', 'x.prom'), [], { step: 's' }, log);

    expect([written, failed]).toEqual([true, false]);
    expect(readFileSync(file, 'utf8')).toBe('# HELP g h\n# TYPE g gauge\ng{step="s"} 1\n');
    expect(lines.map((l) => l.level)).toEqual(['warn', 'info', 'warn']);
  });
});
