// Peak RSS of every entrypoint per Node and size (the highest of all its runs), and whether it stays flat and under the limit.
import { round } from './report.mjs';

export const RSS_LIMIT_MIB = 128;
/** Flat: the largest size's peak at most this much above the smallest size's. */
export const FLAT_RATIO = 1.1;

/** Every measured run of each entrypoint in one iteration, for one Node. */
function runsOf(it, n) {
  return {
    'approle-login': [it.login?.ours?.[n]],
    'snapshot-taker': [it.snapshot?.ours?.[n], it.snapshot?.pinned?.ours?.[n]],
    's3-uploader': [it.upload?.ours?.[n]],
    'restore-fetcher': [it.fetch?.ours?.[n], it.fetch?.pinned?.ours?.[n]],
    'restore-runner': [it.restore?.ours?.[n]],
  };
}

/** [{ entrypoint, node, bySize: { '512MiB': MiB }, maxMiB, flatRatio, under }] over sizes = [{ size, iterations }]. */
export function peakRss(sizes, nodes) {
  const out = [];
  for (const { label: n } of nodes) {
    const table = new Map();
    for (const s of sizes) {
      for (const it of s.iterations) {
        for (const [name, runs] of Object.entries(runsOf(it, n))) {
          const kib = runs.filter(Boolean).map((r) => r.rssKiB ?? 0);
          if (kib.length === 0) continue;
          const entry = table.get(name) ?? {};
          entry[s.size] = Math.max(entry[s.size] ?? 0, ...kib);
          table.set(name, entry);
        }
      }
    }
    for (const [entrypoint, bySizeKiB] of table) {
      const mib = Object.fromEntries(Object.entries(bySizeKiB).map(([k, v]) => [k, round(v / 1024)]));
      const values = Object.values(bySizeKiB);
      const first = bySizeKiB[sizes.find((s) => bySizeKiB[s.size] !== undefined)?.size];
      const last = bySizeKiB[[...sizes].reverse().find((s) => bySizeKiB[s.size] !== undefined)?.size];
      const maxMiB = Math.max(...values) / 1024;
      // One size measured: nothing to say about flatness.
      const flatRatio = values.length > 1 ? round(last / first, 2) : undefined;
      out.push({ entrypoint, node: n, bySize: mib, maxMiB: round(maxMiB), flatRatio, under: maxMiB < RSS_LIMIT_MIB });
    }
  }
  return out;
}

/** The peak RSS table as Markdown. */
export function rssTable(peaks, sizes) {
  const labels = sizes.map((s) => s.size);
  const head = `| Node | entrypoint | ${labels.map((l) => `${l} MiB`).join(' | ')} | largest / smallest size | under ${RSS_LIMIT_MIB} MiB |`;
  const rule = `| --- | --- | ${labels.map(() => '---:').join(' | ')} | ---: | --- |`;
  const lines = peaks.map((p) => `| ${p.node} | ${p.entrypoint} | ${labels.map((l) => (p.bySize[l] === undefined ? 'n/a' : p.bySize[l].toFixed(1))).join(' | ')} | ${p.flatRatio === undefined ? 'n/a' : p.flatRatio.toFixed(2)} | ${p.under ? 'yes' : `no (${p.maxMiB} MiB)`} |`);
  return [head, rule, ...lines].join('\n');
}
