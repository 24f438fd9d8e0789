import { join } from 'node:path';
import { chartOf, checkAgainstChart } from '../chart-check';
import { MANIFESTS_DIR, restoreValueSets } from '../check-all';
import { RESTORE_CHARTS } from '../restore-charts';

/**
 * Manual check: validates the restore values against the real chart files
 * (Chart.yaml, values.yaml, values.schema.json) in the folder given as argument,
 * hashicorp/vault-helm or openbao/openbao-helm's charts/openbao (told apart by the
 * Chart.yaml name); every documented set of that chart's values is checked:
 *   npm run check-chart -w @vault-raft-backup/manifests -- /path/to/chart
 */
const chartDir = process.argv[2];
if (!chartDir) {
  process.stderr.write('usage: check-chart-values <chart folder with Chart.yaml, values.yaml and values.schema.json>\n');
  process.exitCode = 2;
} else {
  const { chart, version } = chartOf(chartDir);
  const expected = RESTORE_CHARTS[chart].version;
  process.stdout.write(`chart ${chart} ${version}${version === expected ? '' : ` (the values were written against ${expected})`}\n`);
  let failed = 0;
  for (const { files } of restoreValueSets(MANIFESTS_DIR, [chart])) {
    const problems = checkAgainstChart(chartDir, files);
    const name = files.map((f) => f.slice(join(MANIFESTS_DIR, 'restore').length + 1)).join(' + ');
    process.stdout.write(`${problems.length === 0 ? 'ok  ' : 'FAIL'} ${name}\n`);
    for (const p of problems) process.stdout.write(`     ${p}\n`);
    if (problems.length > 0) failed++;
  }
  process.exitCode = failed > 0 ? 1 : 0;
}
