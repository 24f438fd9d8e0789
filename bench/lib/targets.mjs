// The round-2 targets, each with what was measured and whether it is met (and by how much it is missed).
import { baselineOf, bundlesOf } from './cold-report.mjs';
import { FLAT_RATIO, RSS_LIMIT_MIB } from './memory-report.mjs';

export const TARGETS = { floorRatio: 1.25, wallRatio: 1.1, wholeBackup: 1.5, upload: 2, coldAbsoluteMs: 150, coldAboveMs: 100 };

const OPS = { '<': (v, l) => v < l, '<=': (v, l) => v <= l, '>=': (v, l) => v >= l };

/** A target that wants `value <op> limit`. */
function check(target, where, value, limit, unit, op) {
  const needed = `${op} ${limit}${unit}`;
  if (value === undefined) return { target, where, measured: 'n/a', needed, result: 'not measured' };
  const shown = `${unit === ' ms' ? Math.round(value) : value.toFixed(unit === 'x' ? 2 : 1)}${unit}`;
  return { target, where, measured: shown, needed, result: OPS[op](value, limit) ? 'met' : `missed: ${shown}, needs ${needed}` };
}

function floorTargets(floors) {
  const out = [];
  for (const f of floors) {
    const where = `${f.step}, ${f.node}, ${f.size}`;
    out.push(check('CPU / floor', where, f.floorRatio, TARGETS.floorRatio, 'x', '<='));
    out.push(check(`wall / ${f.peer}, unpinned`, where, f.unpinned?.ratio, TARGETS.wallRatio, 'x', '<='));
    out.push(check(`wall / ${f.peer}, pinned`, where, f.pinned?.ratio, TARGETS.wallRatio, 'x', '<='));
  }
  return out;
}

function speedupTargets(rows) {
  const out = [];
  for (const r of rows) {
    if (r.step === 'whole backup') out.push(check('whole backup speed-up over curl + aws', `${r.node}, ${r.size}`, r.speedup, TARGETS.wholeBackup, 'x', '>='));
    if (r.step.startsWith('upload')) out.push(check('upload + latest speed-up over aws s3 cp x2', `${r.node}, ${r.size}`, r.speedup, TARGETS.upload, 'x', '>='));
  }
  return out;
}

/** Per Node and cache setting: the slowest bundle's median, absolute (Node 24 only) and above `node -e 0`. */
function coldTargets(cold, nodes) {
  const out = [];
  for (const node of nodes) {
    for (const cache of [false, true]) {
      const entries = bundlesOf(cold, node.label, cache);
      if (entries.length === 0) continue;
      const base = baselineOf(cold, node.label).medianMs;
      const worst = entries.reduce((a, b) => (b.medianMs > a.medianMs ? b : a));
      const where = (limit, of) => {
        const missed = entries.filter((e) => of(e) >= limit).map((e) => e.name);
        return `${node.label}${cache ? ' + compile cache' : ''}, slowest ${worst.name}${missed.length ? `; over: ${missed.join(', ')}` : ''}`;
      };
      if (node.major === 24) out.push(check('cold start median (--help)', where(TARGETS.coldAbsoluteMs, (e) => e.medianMs), worst.medianMs, TARGETS.coldAbsoluteMs, ' ms', '<'));
      out.push(check('cold start median above node -e 0', where(TARGETS.coldAboveMs, (e) => e.medianMs - base), worst.medianMs - base, TARGETS.coldAboveMs, ' ms', '<'));
    }
  }
  return out;
}

function rssTargets(peaks, nodes) {
  const out = [];
  for (const { label: n } of nodes) {
    const mine = peaks.filter((p) => p.node === n);
    if (mine.length === 0) continue;
    const top = mine.reduce((a, b) => (b.maxMiB > a.maxMiB ? b : a));
    const flat = mine.reduce((a, b) => ((b.flatRatio ?? 0) > (a.flatRatio ?? 0) ? b : a));
    out.push(check(`peak RSS < ${RSS_LIMIT_MIB} MiB`, `${n}, highest: ${top.entrypoint}`, top.maxMiB, RSS_LIMIT_MIB, ' MiB', '<'));
    out.push(check('peak RSS flat across sizes (largest / smallest size)', flat.flatRatio === undefined ? `${n}, one size only` : `${n}, least flat: ${flat.entrypoint}`, flat.flatRatio, FLAT_RATIO, 'x', '<='));
  }
  return out;
}

/** Every target with its measured value. */
export function targets({ floors, rows, cold, peaks, nodes }) {
  return [...floorTargets(floors), ...speedupTargets(rows), ...coldTargets(cold, nodes), ...rssTargets(peaks, nodes)];
}

/** The targets table as Markdown. */
export function targetsTable(list) {
  return ['| target | where | measured | needed | result |', '| --- | --- | ---: | ---: | --- |', ...list.map((t) => `| ${t.target} | ${t.where} | ${t.measured} | ${t.needed} | ${t.result} |`)].join('\n');
}
