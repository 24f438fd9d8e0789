import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { generatedFiles } from '../monitoring/generate';
import { DEFAULT_SETTINGS, durationSeconds, type RuleSettings } from '../monitoring/rules';

/**
 * Writes the alert rules (plain file and PrometheusRule) and the dashboard ConfigMap:
 *   npm run monitoring -w @vault-raft-backup/manifests [-- --missing-after 30h --cron-job name
 *     --shrink-ratio 0.5 --drill-missing-after 8d --drill-cron-job name --restore-notice-for 24h --out <dir>]
 * Without options it regenerates manifests/monitoring/ as committed (the tests check it is current);
 * with --out it writes a variant elsewhere (the dashboard is always manifests/monitoring/dashboard.json).
 */
const FLAGS: Record<string, keyof RuleSettings> = {
  '--missing-after': 'missingAfter',
  '--cron-job': 'cronJob',
  '--shrink-ratio': 'shrinkRatio',
  '--drill-missing-after': 'drillMissingAfter',
  '--drill-cron-job': 'drillCronJob',
  '--restore-notice-for': 'restoreNoticeFor',
};

/** manifests/monitoring (this file runs bundled, from dist/). */
const SOURCE = resolve(__dirname, '..', 'monitoring');

function parseArgs(argv: string[]): { settings: RuleSettings; out: string } {
  const settings: RuleSettings = { ...DEFAULT_SETTINGS };
  let out = SOURCE;
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i] ?? '', argv[i + 1]];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    if (flag === '--out') out = resolve(value);
    else if (flag === '--shrink-ratio') settings.shrinkRatio = Number(value);
    else if (FLAGS[flag]) Object.assign(settings, { [FLAGS[flag]]: value });
    else throw new Error(`unknown option ${flag} (known: ${[...Object.keys(FLAGS), '--out'].join(', ')})`);
  }
  for (const d of [settings.missingAfter, settings.drillMissingAfter, settings.restoreNoticeFor]) durationSeconds(d);
  if (!(settings.shrinkRatio > 0 && settings.shrinkRatio < 1)) throw new Error('--shrink-ratio must be between 0 and 1');
  for (const [flag, name] of [['--cron-job', settings.cronJob], ['--drill-cron-job', settings.drillCronJob]]) {
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name ?? '')) throw new Error(`${flag} must be a Kubernetes object name`);
  }
  return { settings, out };
}

try {
  const { settings, out } = parseArgs(process.argv.slice(2));
  mkdirSync(out, { recursive: true });
  for (const [name, text] of Object.entries(generatedFiles(SOURCE, settings))) {
    writeFileSync(join(out, name), text);
    process.stdout.write(`wrote ${join(out, name)}\n`);
  }
} catch (err) {
  process.stderr.write(`${(err as Error).message}\n`);
  process.exitCode = 1;
}
