import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { MANIFESTS_DIR } from '../src/check-all';
import { dashboardExprs } from '../src/monitoring/dashboard-checks';
import { DASHBOARD_FILE, GENERATED, rulesFileText } from '../src/monitoring/generate';
import { DEFAULT_SETTINGS, ruleGroups } from '../src/monitoring/rules';
import { readYamlFile } from '../src/yaml-io';
import { promtool, promtoolBinary } from './monitoring/promtool';

const MONITORING = join(MANIFESTS_DIR, 'monitoring');
const TESTS = join(__dirname, 'monitoring');
const bin = promtoolBinary();

if (bin === undefined) {
  test('the promtool tests report in one line that they did not run, and fail on CI', () => {
    process.stdout.write('promtool not found: alert rule tests not run (apt-get install prometheus)\n');
    expect(process.env.CI).not.toBe('true');
  });
} else {
  let work: string;
  beforeEach(() => {
    work = mkdtempSync(join(tmpdir(), 'promtool-'));
  });
  afterEach(() => rmSync(work, { recursive: true, force: true }));

  describe('promtool check rules', () => {
    it('accepts the plain rules file', () => {
      const r = promtool(bin, ['check', 'rules', join(MONITORING, GENERATED.rulesFile)]);

      expect(r.output).toContain('SUCCESS: 9 rules found');
      expect(r.code).toBe(0);
    });

    it('accepts the groups of the PrometheusRule', () => {
      const spec = (readYamlFile(join(MONITORING, GENERATED.prometheusRule)) as { spec: unknown }).spec;
      writeFileSync(join(work, 'spec.yaml'), stringify(spec));

      const r = promtool(bin, ['check', 'rules', join(work, 'spec.yaml')]);

      expect(r.output).toContain('SUCCESS: 9 rules found');
      expect(r.code).toBe(0);
    });

    it('accepts every query of the dashboard as PromQL (its variables set to match-all)', () => {
      const dashboard: unknown = JSON.parse(readFileSync(join(MONITORING, DASHBOARD_FILE), 'utf8'));
      const exprs = dashboardExprs(dashboard).filter((e) => e.where.startsWith('panel'));
      const rules = exprs.map((e, i) => ({ record: `dashboard:query_${i}`, expr: e.expr.replace(/\$(job|instance)\b/g, '.*') }));
      writeFileSync(join(work, 'dashboard.yaml'), stringify({ groups: [{ name: 'dashboard', rules }] }));

      const r = promtool(bin, ['check', 'rules', join(work, 'dashboard.yaml')]);

      expect(exprs.length).toBeGreaterThanOrEqual(12);
      expect(r.output).toContain(`SUCCESS: ${exprs.length} rules found`);
      expect(r.code).toBe(0);
    });

    it('rejects a rule with broken PromQL (the check can fail)', () => {
      writeFileSync(join(work, 'bad.yaml'), stringify({ groups: [{ name: 'g', rules: [{ alert: 'A', expr: 'time() - max by (job (x)' }] }] }));

      expect(promtool(bin, ['check', 'rules', join(work, 'bad.yaml')]).code).not.toBe(0);
    });
  });

  describe('promtool test rules', () => {
    it.each([
      ['alerts.test.yaml', 'every alert fires when it should and stays quiet when it should not'],
      ['queries.test.yaml', 'the queries docs/MONITORING.md recommends count what they say'],
    ])('%s passes: %s', (file) => {
      const r = promtool(bin, ['test', 'rules', file], TESTS);

      expect(r.output).toContain('SUCCESS');
      expect(r.code).toBe(0);
    });

    it('fails when the backup window is 30h: the tests pin the 26h default (a success 27h ago must fire)', () => {
      cpSync(join(TESTS, 'alerts.test.yaml'), join(work, 'alerts.test.yaml'));
      writeFileSync(join(work, 'prometheus-rules.yaml'), rulesFileText(ruleGroups({ ...DEFAULT_SETTINGS, missingAfter: '30h' })));
      const test = readFileSync(join(work, 'alerts.test.yaml'), 'utf8').replace('../../monitoring/prometheus-rules.yaml', 'prometheus-rules.yaml');
      writeFileSync(join(work, 'alerts.test.yaml'), test);

      const r = promtool(bin, ['test', 'rules', 'alerts.test.yaml'], work);

      expect(r.code).not.toBe(0);
      expect(r.output).toContain('alertname: VaultRaftBackupMissing, time: 1d3h');
    });

    it('with --missing-after 30h, a success 29h ago stays quiet and 31h ago fires', () => {
      writeFileSync(join(work, 'rules.yaml'), rulesFileText(ruleGroups({ ...DEFAULT_SETTINGS, missingAfter: '30h' })));
      const alert = {
        exp_labels: { severity: 'critical', job: 'vault-raft-backup', instance: 'prod' },
        exp_annotations: {
          summary: 'No Vault backup stored for prod in more than 30h',
          description:
            'The last backup s3-uploader stored for instance "prod" (job vault-raft-backup) is 1d 7h 0m 0s old. Check first: the CronJob\'s recent Jobs (kubectl get jobs -n <namespace>) and whether VaultRaftBackupFailing names a step and error code; then the logs of that step\'s container.',
          runbook_url: 'https://github.com/vault-raft-backup/vault-raft-backup/blob/main/docs/MONITORING.md#vaultraftbackupmissing',
        },
      };
      const tests = {
        rule_files: ['rules.yaml'],
        evaluation_interval: '1m',
        tests: [
          {
            interval: '1h',
            input_series: [{ series: 'vault_raft_backup_last_success_timestamp_seconds{job="vault-raft-backup",instance="prod",step="s3-uploader"}', values: '0x40' }],
            alert_rule_test: [
              { eval_time: '29h', alertname: 'VaultRaftBackupMissing', exp_alerts: [] },
              { eval_time: '31h', alertname: 'VaultRaftBackupMissing', exp_alerts: [alert] },
            ],
          },
        ],
      };
      writeFileSync(join(work, 'window.test.yaml'), stringify(tests));

      const r = promtool(bin, ['test', 'rules', 'window.test.yaml'], work);

      expect(r.output).toContain('SUCCESS');
      expect(r.code).toBe(0);
    });
  });
}
