// Cold start (`--help` to exit) and bundle size of each entrypoint.
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};

/** Median and best wall time of `node <bundle> --help` over `runs` runs after `warmup` runs. */
export function coldStart(node, file, { runs = 10, warmup = 2 } = {}) {
  const times = [];
  for (let i = 0; i < warmup + runs; i++) {
    const started = process.hrtime.bigint();
    const r = spawnSync(node, [file, '--help'], { stdio: 'ignore' });
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (r.status !== 0) throw new Error(`${file} --help exited ${r.status}`);
    if (i >= warmup) times.push(ms);
  }
  return { medianMs: Math.round(median(times)), bestMs: Math.round(Math.min(...times)), bytes: statSync(file).size };
}

/** The same for `node -e 0`, the floor every bundle sits on. */
export function nodeFloor(node, { runs = 10 } = {}) {
  const times = [];
  for (let i = 0; i < runs + 3; i++) {
    const started = process.hrtime.bigint();
    spawnSync(node, ['-e', '0'], { stdio: 'ignore' });
    if (i >= 3) times.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  return { medianMs: Math.round(median(times)), bestMs: Math.round(Math.min(...times)) };
}
