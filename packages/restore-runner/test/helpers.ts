import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { type SourceVault, verifySnapshotFile, writeSnapshotRecord } from '@vault-raft-backup/common';
import { bundlePath, type VaultDouble } from '@vault-raft-backup/testkit';

/** Builds the bundle once per test file, so tests always run the current source as the container would. */
export function buildBundle(): string {
  execFileSync('npm', ['run', 'build'], { cwd: join(__dirname, '..'), stdio: 'ignore' });
  return bundlePath('restore-runner');
}

/** The source's seal facts as snapshot-taker records them from `sys/seal-status`. */
export async function sealFactsOf(url: string): Promise<SourceVault> {
  const s = (await vaultGet(url, 'sys/seal-status')).body as Record<string, unknown>;
  return { sealType: String(s.type), recoverySeal: s.recovery_seal === true, shares: Number(s.n), threshold: Number(s.t), version: String(s.version), clusterId: String(s.cluster_id), clusterName: String(s.cluster_name), storageType: String(s.storage_type) };
}

/**
 * Takes a snapshot of a double over HTTP and writes it with its sidecar, as restore-fetcher leaves it:
 * with the source's seal facts, or (`facts: false`) as a backup taken before they were recorded.
 */
export async function takeSnapshot(source: VaultDouble, file: string, options: { facts?: boolean; edit?: (v: SourceVault) => SourceVault } = {}): Promise<void> {
  const res = await fetch(`${source.url}/v1/sys/storage/raft/snapshot`, { headers: { 'x-vault-token': source.rootToken } });
  if (res.status !== 200 || !res.body) throw new Error(`snapshot GET answered ${res.status}`);
  await pipeline(Readable.fromWeb(res.body as WebReadableStream<Uint8Array>), createWriteStream(file));
  const info = await verifySnapshotFile(file);
  const facts = options.facts === false ? undefined : await sealFactsOf(source.url);
  const vault = facts && options.edit ? options.edit(facts) : facts;
  await writeSnapshotRecord(file, { sha256: info.sha256, bytes: info.bytes, index: info.index, term: info.term, takenAt: new Date().toISOString(), source: 's3://backups/vault/test.snap', ...(vault ? { vault } : {}) });
}

/** Status and body of a GET to a node with a token. */
export async function vaultGet(url: string, path: string, token?: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${url}/v1/${path}`, { headers: token ? { 'x-vault-token': token } : {} });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

/** A running restore-runner child. */
export interface Runner {
  child: ChildProcess;
  /** stdout + stderr so far. */
  output(): string;
  lines(): Record<string, unknown>[];
  /** Resolves with the first log line matching. */
  waitForLine(match: (line: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  exited: Promise<number | null>;
}

/** Starts the bundle with exactly this environment (plus PATH), like a container. */
export function startRunner(bundle: string, env: Record<string, string>): Runner {
  const child = spawn(process.execPath, [bundle], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString('utf8')));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString('utf8')));
  const killer = setTimeout(() => child.kill('SIGKILL'), 55_000);
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code))).finally(() => clearTimeout(killer));
  const lines = () => out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
  const waitForLine = async (match: (line: Record<string, unknown>) => boolean, timeoutMs = 30_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = lines().find(match);
      if (hit) return hit;
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`no such log line; output:\n${out}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  return { child, output: () => out, lines, waitForLine, exited };
}

/** Runs the bundle to its end. */
export async function runRunner(bundle: string, env: Record<string, string>): Promise<{ code: number | null; output: string; lines: Record<string, unknown>[] }> {
  const runner = startRunner(bundle, env);
  const code = await runner.exited;
  return { code, output: runner.output(), lines: runner.lines() };
}

/** A pass-through proxy in front of a node that records what `PUT sys/init` answered: the runner's temporary keys and token. */
export async function startInitRecorder(target: string): Promise<{ url: string; init: () => { root_token?: string; keys_base64?: string[]; keys?: string[]; recovery_keys?: string[] } | undefined; close: () => Promise<void> }> {
  let recorded: string | undefined;
  const server: Server = createServer((req, res) => {
    const upstream = request(`${target}${req.url}`, { method: req.method, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      if (req.method === 'PUT' && req.url === '/v1/sys/init') {
        let body = '';
        up.on('data', (c: Buffer) => (body += c.toString('utf8')));
        up.on('end', () => (recorded = body));
      }
      up.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    init: () => (recorded ? JSON.parse(recorded) : undefined),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Every secret value that must never appear in the runner's output. */
export function secretsOf(...sets: (readonly (string | undefined)[] | undefined)[]): string[] {
  return sets.flatMap((s) => s ?? []).filter((v): v is string => typeof v === 'string' && v.length >= 4);
}
