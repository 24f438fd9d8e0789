// Cold start (`--help` to exit) of each entrypoint on each Node, against `node -e 0` on the same Node, without and with
// V8's compile cache. Wall time and CPU time (user + system, which a busy machine disturbs less); median and p90.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

const TIME = '/usr/bin/time';

/** The value at quantile q (0..1) of the samples, nearest rank. */
export function quantile(xs, q) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
}

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
  return { ms: Math.round(ms * 10) / 10, cpuMs: cpuMs === undefined ? undefined : Math.round(cpuMs) };
}

function summary(samples) {
  const wall = samples.map((s) => s.ms);
  const cpu = samples.map((s) => s.cpuMs).filter((c) => c !== undefined);
  return {
    medianMs: Math.round(quantile(wall, 0.5)),
    p90Ms: Math.round(quantile(wall, 0.9)),
    bestMs: Math.round(Math.min(...wall)),
    cpuMedianMs: cpu.length ? Math.round(quantile(cpu, 0.5)) : undefined,
    samples,
  };
}

/** Node >= 22.1 reads NODE_COMPILE_CACHE. */
export const hasCompileCache = (node) => node.major > 22 || (node.major === 22 && Number(node.version.split('.')[1]) >= 1);

/** The measured configurations: per Node, `node -e 0`, each bundle without cache, and (where supported) with a fresh cache. */
function configurations(nodes, bundles, workDir) {
  const { NODE_COMPILE_CACHE: _inherited, ...plain } = process.env;
  const out = [];
  for (const node of nodes) {
    out.push({ node: node.label, name: '(node -e 0)', cache: false, args: [node.path, '-e', '0'], env: plain });
    for (const [name, file] of Object.entries(bundles)) {
      out.push({ node: node.label, name, cache: false, args: [node.path, file, '--help'], env: plain, bytes: statSync(file).size });
      if (!hasCompileCache(node)) continue;
      // A fresh directory, filled by the one warm-up run below, as an image build would fill it.
      const dir = mkdtempSync(join(workDir, `compile-cache-${node.label}-${name}-`));
      out.push({ node: node.label, name, cache: true, args: [node.path, file, '--help'], env: { ...plain, NODE_COMPILE_CACHE: dir }, bytes: statSync(file).size });
    }
  }
  return out;
}

/**
 * Runs every configuration once as a warm-up (page cache; fills the compile cache), then `runs` rounds in which each
 * configuration runs once, so that load changes on the machine hit all of them alike.
 * Returns [{ node, name, cache, bytes, medianMs, p90Ms, bestMs, cpuMedianMs, samples }].
 */
export function coldStarts(nodes, bundles, workDir, { runs = 20 } = {}) {
  const configs = configurations(nodes, bundles, workDir);
  for (const c of configs) once(c.args, workDir, c.env);
  const samples = configs.map(() => []);
  for (let round = 0; round < runs; round++) {
    configs.forEach((c, i) => {
      samples[i].push(once(c.args, workDir, c.env));
    });
  }
  for (const c of configs) if (c.env.NODE_COMPILE_CACHE) rmSync(c.env.NODE_COMPILE_CACHE, { recursive: true, force: true });
  return configs.map((c, i) => ({ node: c.node, name: c.name, cache: c.cache, bytes: c.bytes, ...summary(samples[i]) }));
}
