import { spawnSync } from 'node:child_process';

/** `PROMTOOL_BIN`, else promtool on PATH; undefined when neither runs. */
export function promtoolBinary(): string | undefined {
  const bin = process.env.PROMTOOL_BIN || 'promtool';
  return spawnSync(bin, ['--version'], { stdio: 'ignore' }).status === 0 ? bin : undefined;
}

/** Runs promtool and returns its exit code and output. */
export function promtool(bin: string, args: string[], cwd?: string): { code: number | null; output: string } {
  const r = spawnSync(bin, args, { cwd, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, output: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}
