// Cold start (`--help` to exit) and bundle size of each entrypoint: wall time, and CPU time, which a busy machine disturbs less.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

const TIME = '/usr/bin/time';

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};

function once(args, workDir, env) {
  const statFile = join(workDir, `cold-${process.pid}.txt`);
  const useTime = existsSync(TIME);
  const started = process.hrtime.bigint();
  const r = useTime ? spawnSync(TIME, ['-f', '%U %S', '-o', statFile, ...args], { stdio: 'ignore', env }) : spawnSync(args[0], args.slice(1), { stdio: 'ignore', env });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}`);
  let cpuMs;
  if (useTime) {
    const [user, sys] = readFileSync(statFile, 'utf8').trim().split('\n').pop().split(' ').map(Number);
    cpuMs = (user + sys) * 1000;
    rmSync(statFile, { force: true });
  }
  return { ms, cpuMs };
}

function series(args, workDir, runs, warmup, env = process.env) {
  const samples = [];
  for (let i = 0; i < warmup + runs; i++) {
    const s = once(args, workDir, env);
    if (i >= warmup) samples.push(s);
  }
  const wall = samples.map((s) => s.ms);
  const cpu = samples.map((s) => s.cpuMs).filter((c) => c !== undefined);
  return { medianMs: Math.round(median(wall)), bestMs: Math.round(Math.min(...wall)), cpuMedianMs: cpu.length ? Math.round(median(cpu)) : undefined };
}

/**
 * Median and best wall time, and median CPU time, of `node <bundle> --help`, with the bundle's size.
 * `compileCache`: a directory for NODE_COMPILE_CACHE (Node >= 22.1), filled by the warm-up runs.
 */
export function coldStart(node, file, workDir, { runs = 10, warmup = 2, compileCache } = {}) {
  const env = compileCache ? { ...process.env, NODE_COMPILE_CACHE: compileCache } : process.env;
  return { ...series([node, file, '--help'], workDir, runs, warmup, env), bytes: statSync(file).size };
}

/** The same for `node -e 0`, the floor every bundle sits on. */
export function nodeFloor(node, workDir, { runs = 10, warmup = 2 } = {}) {
  return series([node, '-e', '0'], workDir, runs, warmup);
}
