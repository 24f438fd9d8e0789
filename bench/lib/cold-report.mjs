// Cold start tables: per Node, without and with the compile cache, each bundle against `node -e 0` on the same Node.

const BASELINE = '(node -e 0)';

/** The `node -e 0` entry of a Node. */
export const baselineOf = (cold, node) => cold.find((c) => c.node === node && c.name === BASELINE);

/** The bundles' entries of one Node and cache setting. */
export const bundlesOf = (cold, node, cache) => cold.filter((c) => c.node === node && c.cache === cache && c.name !== BASELINE);

/** The table of one Node and cache setting as Markdown, or undefined when that combination was not measured. */
export function coldTable(cold, node, cache) {
  const entries = bundlesOf(cold, node, cache);
  if (entries.length === 0) return undefined;
  const base = baselineOf(cold, node);
  const cpu = (c) => (c.cpuMedianMs === undefined ? 'n/a' : `${c.cpuMedianMs} ms`);
  const lines = entries.map((c) => `| ${c.name} | ${(c.bytes / 1024).toFixed(0)} KiB | ${c.medianMs} ms | ${c.p90Ms} ms | ${c.bestMs} ms | ${cpu(c)} | ${c.medianMs - base.medianMs} ms |`);
  return [
    '| entrypoint | bundle | `--help` wall median | p90 | best | CPU median | median above `node -e 0` |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...lines,
    `| ${BASELINE} | | ${base.medianMs} ms | ${base.p90Ms} ms | ${base.bestMs} ms | ${cpu(base)} | |`,
  ].join('\n');
}
