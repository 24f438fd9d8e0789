import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createServer, type Server, type Socket } from 'node:net';
import { type MetricFamily, parseText } from '@vault-raft-backup/common';

/** A real Pushgateway child process on 127.0.0.1. */
export interface Pushgateway {
  url: string;
  /** Everything its `/metrics` exposes, parsed (pushed metrics with their grouping labels, push_time_seconds, its own). */
  metrics(): Promise<MetricFamily[]>;
  /** Stops the process (it kept nothing on disk). */
  close(): Promise<void>;
}

/** Names the Debian package and the upstream release give the binary. */
const BINARIES = ['prometheus-pushgateway', 'pushgateway'];

/** The Pushgateway binary: `PUSHGATEWAY_BIN`, else the first of its usual names on PATH; undefined when there is none. */
export function pushgatewayBinary(): string | undefined {
  const candidates = process.env.PUSHGATEWAY_BIN ? [process.env.PUSHGATEWAY_BIN] : BINARIES;
  return candidates.find((bin) => spawnSync(bin, ['--version'], { stdio: 'ignore' }).status === 0);
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function waitReady(url: string, child: ChildProcess, timeoutMs: number, output: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the Pushgateway exited with ${child.exitCode}: ${output()}`);
    const ready = await fetch(`${url}/-/ready`).then((r) => r.ok, () => false);
    if (ready) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGKILL');
  throw new Error(`the Pushgateway did not get ready within ${timeoutMs} ms: ${output()}`);
}

/** Starts the Pushgateway on a free loopback port and waits until it is ready. @throws Error when there is no binary or it does not start */
export async function startPushgateway(options: { startTimeoutMs?: number } = {}): Promise<Pushgateway> {
  const bin = pushgatewayBinary();
  if (!bin) throw new Error(`no Pushgateway binary (${BINARIES.join(' or ')} on PATH, or PUSHGATEWAY_BIN)`);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  // Debian's build persists to /var/lib/prometheus by default: an empty file keeps each test's gateway in memory only
  const child = spawn(bin, [`--web.listen-address=127.0.0.1:${port}`, '--persistence.file='], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  await waitReady(url, child, options.startTimeoutMs ?? 10_000, () => stderr);
  return {
    url,
    metrics: async () => parseText(await (await fetch(`${url}/metrics`)).text()),
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** A TCP server on 127.0.0.1 that accepts connections and never answers: a Pushgateway that hangs. */
export async function startSilentServer(): Promise<{ url: string; connections: () => number; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  let count = 0;
  const server: Server = createServer((socket) => {
    count++;
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    connections: () => count,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
