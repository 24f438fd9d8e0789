import { type ChildProcess, spawn } from 'node:child_process';
import { type BundleResult, bundlePath, type RunBundleOptions, runBundle } from '@vault-raft-backup/testkit';
import { currentCase, keepOutput } from './ledger';

/** The shipped entrypoints the suite drives. */
export type BundleName = 'approle-login' | 'kubernetes-login' | 'snapshot-taker' | 's3-uploader' | 'restore-fetcher' | 'restore-runner' | 'setup';

const QUIET = { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };

/** Runs a bundle like the container does, counts the run and keeps its output for the secret scan. */
export async function run(name: BundleName, env: Record<string, string | undefined>, options: Omit<RunBundleOptions, 'env'> = {}): Promise<BundleResult> {
  const result = await runBundle(name, { timeoutMs: 45_000, ...options, env: { ...QUIET, ...env } });
  const c = currentCase();
  if (c) c.runs++;
  keepOutput(name, `${result.stdout}\n${result.stderr}`);
  return result;
}

/** The last log line's message: where runMain reports the failure. */
export function lastMsg(result: BundleResult): string {
  return String(result.lines.at(-1)?.msg ?? '');
}

/** A bundle running in the background, so a test can signal it mid-run. */
export interface Running {
  child: ChildProcess;
  /** Resolves when a log line matches (rejects when the child exits first). */
  waitForLine(match: (line: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<void>;
  /** Resolves with the result when the child exits (SIGKILL after 45 s). */
  done: Promise<BundleResult>;
}

function parse(stdout: string): Record<string, unknown>[] {
  return stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** Starts a bundle as a child process with exactly this environment (plus PATH). */
export function start(name: BundleName, env: Record<string, string | undefined>): Running {
  const child = spawn(process.execPath, [bundlePath(name)], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...QUIET, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  const killer = setTimeout(() => child.kill('SIGKILL'), 45_000);
  const c = currentCase();
  if (c) c.runs++;
  const done = new Promise<BundleResult>((resolve) =>
    child.once('close', (code, signal) => {
      clearTimeout(killer);
      keepOutput(name, `${stdout}\n${stderr}`);
      resolve({ code, signal, stdout, stderr, lines: parse(stdout) });
    }),
  );
  const waitForLine = async (match: (line: Record<string, unknown>) => boolean, timeoutMs = 20_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!parse(stdout).some(match)) {
      if (child.exitCode !== null || child.signalCode !== null || Date.now() > deadline) throw new Error(`no matching log line; output so far:\n${stdout}${stderr}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  };
  return { child, waitForLine, done };
}
