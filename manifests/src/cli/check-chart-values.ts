import { join } from 'node:path';
import { checkAgainstChart } from '../chart-check';

/**
 * Manual check: validates the restore values against the real hashicorp/vault-helm
 * chart files (values.yaml + values.schema.json) in the folder given as argument:
 *   npm run check-chart -w @vault-raft-backup/manifests -- /path/to/vault-helm
 */
const chartDir = process.argv[2];
if (!chartDir) {
  process.stderr.write('usage: check-chart-values <folder with the chart values.yaml and values.schema.json>\n');
  process.exitCode = 2;
} else {
  const restore = join(__dirname, '..', 'restore');
  const base = join(restore, 'values-restore.yaml');
  const sets = [[base], [base, join(restore, 'examples', 'awskms.yaml')], [base, join(restore, 'examples', 'shamir-unseal-keys.yaml')]];
  let failed = 0;
  for (const files of sets) {
    const problems = checkAgainstChart(chartDir, files);
    const name = files.map((f) => f.slice(restore.length + 1)).join(' + ');
    process.stdout.write(`${problems.length === 0 ? 'ok  ' : 'FAIL'} ${name}\n`);
    for (const p of problems) process.stdout.write(`     ${p}\n`);
    if (problems.length > 0) failed++;
  }
  process.exitCode = failed > 0 ? 1 : 0;
}
