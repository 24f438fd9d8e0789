// What the steps share: running a bundle on one Node (pinned or not), summarising a run, alternating who goes first.
import { jsonLines, timed } from './proc.mjs';
import { pinnedArgv } from './pinning.mjs';

/** A measurement of one or more processes that together make up one side of a step. */
export function measure(...results) {
  return {
    seconds: results.reduce((s, r) => s + r.seconds, 0),
    rssKiB: Math.max(...results.map((r) => r.rssKiB ?? 0)),
    cpuSeconds: results.reduce((s, r) => s + (r.cpuSeconds ?? 0), 0),
  };
}

/** Progress lines of a run: how many, and the longest gap between two consecutive log lines of any kind. */
export function progressOf(result) {
  const lines = jsonLines(result.stdout);
  const progress = lines.filter((l) => typeof l.bytes === 'number' && (l.mibPerSec !== undefined || l.bytesPerSecond !== undefined || l.etaSeconds !== undefined) && l.durationMs === undefined);
  const stamped = lines.filter((l) => Number.isFinite(Date.parse(l.time)));
  let maxGap = 0;
  let gapAfter;
  for (let i = 1; i < stamped.length; i++) {
    const gap = Date.parse(stamped[i].time) - Date.parse(stamped[i - 1].time);
    if (gap > maxGap) [maxGap, gapAfter] = [gap, `${stamped[i - 1].msg} -> ${stamped[i].msg}`];
  }
  return { progressLines: progress.length, maxLogGapSeconds: Math.round(maxGap / 100) / 10, maxLogGapAt: gapAfter };
}

/** Runs one of our bundles with `node`; `pinned` puts it on the measured core. */
export function bundle(ctx, name, env, node, { pinned = false } = {}) {
  const run = pinned ? pinnedArgv(node.path, [ctx.bundles[name]]) : { cmd: node.path, args: [ctx.bundles[name]] };
  return timed(run.cmd, run.args, { env: { ...ctx.baseEnv, ...env }, workDir: ctx.work });
}

/** A peer command (curl), pinned to the measured core when asked. */
export function peerCommand(ctx, cmd, args, { pinned = false, env } = {}) {
  const run = pinned ? pinnedArgv(cmd, args) : { cmd, args };
  return timed(run.cmd, run.args, { workDir: ctx.work, env });
}

/** Runs the sides one after the other, in the given order on even iterations and reversed on odd ones; results in the given order. */
export async function ordered(ctx, runners) {
  const order = runners.map((_, i) => i);
  if (ctx.iteration % 2 === 1) order.reverse();
  const results = new Array(runners.length);
  for (const i of order) results[i] = await runners[i]();
  return results;
}

/** { node24: result, node20: result } from results in ctx.nodes order. */
export const perNode = (ctx, results, f = (r) => r) => Object.fromEntries(ctx.nodes.map((n, i) => [n.label, f(results[i])]));
