import { execOk } from './exec.ts';

/** Wall-clock time of a command from start to exit, over several runs. */
export interface Timing {
  meanMs: number;
  stddevMs: number;
  runs: number;
}

/** One command of {@link interleavedColdStarts}. */
export interface TimedCommand {
  command: string;
  args: readonly string[];
  env: NodeJS.ProcessEnv;
}

/**
 * Times several commands (no shell) round by round, one run of each per round after one warm-up
 * round, so a change of the machine's load falls on all of them alike: the difference between two
 * of them (a bundle and `node -e 0`) holds where separate series of runs drift apart.
 */
export async function interleavedColdStarts(commands: readonly TimedCommand[], runs = 10): Promise<Timing[]> {
  for (const c of commands) await execOk(c.command, c.args, { env: c.env });
  const samples = commands.map((): number[] => []);
  for (let i = 0; i < runs; i++) {
    for (const [n, c] of commands.entries()) {
      const started = process.hrtime.bigint();
      await execOk(c.command, c.args, { env: c.env });
      samples[n]?.push(Number(process.hrtime.bigint() - started) / 1e6);
    }
  }
  return samples.map((s) => ({ ...meanAndSd(s), runs }));
}

function meanAndSd(samples: readonly number[]): { meanMs: number; stddevMs: number } {
  const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
  const variance = samples.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, samples.length - 1);
  return { meanMs: mean, stddevMs: Math.sqrt(variance) };
}
