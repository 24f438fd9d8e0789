import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exec, execOk } from './exec.ts';

/** Wall-clock time of a command from start to exit, over several runs. */
export interface Timing {
  meanMs: number;
  stddevMs: number;
  runs: number;
  /** `hyperfine` when it was available, else `loop`. */
  tool: 'hyperfine' | 'loop';
}

/** Times `command args` (no shell) with hyperfine, or a plain loop when hyperfine is missing. */
export async function coldStart(command: string, args: readonly string[], env: NodeJS.ProcessEnv, runs = 10): Promise<Timing> {
  const hyperfine = await exec('hyperfine', ['--version'], { env }).catch(() => undefined);
  if (hyperfine?.code === 0) return withHyperfine([command, ...args], env, runs);
  return withLoop(command, args, env, runs);
}

async function withHyperfine(argv: string[], env: NodeJS.ProcessEnv, runs: number): Promise<Timing> {
  const dir = await mkdtemp(join(tmpdir(), 'cold-start-'));
  try {
    const json = join(dir, 'result.json');
    // -N: no intermediate shell; words are split on spaces, so no argument may contain one.
    await execOk('hyperfine', ['-N', '--warmup', '1', '--runs', String(runs), '--export-json', json, argv.join(' ')], { env, timeoutMs: 300_000 });
    const parsed = JSON.parse(await readFile(json, 'utf8')) as { results: { mean: number; stddev: number | null }[] };
    const [result] = parsed.results;
    if (!result) throw new Error(`hyperfine wrote no result for ${argv.join(' ')}`);
    return { meanMs: result.mean * 1000, stddevMs: (result.stddev ?? 0) * 1000, runs, tool: 'hyperfine' };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function withLoop(command: string, args: readonly string[], env: NodeJS.ProcessEnv, runs: number): Promise<Timing> {
  await execOk(command, args, { env }); // warm-up, as hyperfine does
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = process.hrtime.bigint();
    await execOk(command, args, { env });
    samples.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  const mean = samples.reduce((a, b) => a + b, 0) / runs;
  const variance = samples.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, runs - 1);
  return { meanMs: mean, stddevMs: Math.sqrt(variance), runs, tool: 'loop' };
}
