import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkBackupObjects } from '../src/check-backup';
import { MANIFESTS_DIR } from '../src/check-all';
import { checkMonitoring } from '../src/check-monitoring';
import { validatePrometheusRule } from '../src/monitoring/prometheus-rule-schema';
import { anchorsOf, checkAlertRules } from '../src/monitoring/rule-checks';
import { DEFAULT_SETTINGS, ruleGroups } from '../src/monitoring/rules';
import { render } from '../src/render';
import { isRecord, readYamlDocuments } from '../src/yaml-io';

// biome-ignore lint/suspicious/noExplicitAny: rendered objects and fixtures the tests read and mutate at arbitrary depth.
type Tree = any;

const OVERLAY = join(__dirname, 'monitoring', 'overlay');

describe('manifests/monitoring', () => {
  it('passes every check: schemas, generated files current, the same rules twice, runbooks, metric names', () => {
    expect(checkMonitoring(MANIFESTS_DIR)).toEqual([]);
  });

  it('renders a PrometheusRule and a dashboard ConfigMap for the Grafana sidecar', () => {
    const objects = render(join(MANIFESTS_DIR, 'monitoring'));

    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['PrometheusRule/vault-raft-backup', 'ConfigMap/vault-raft-backup-dashboard']);
    const configMap = objects[1] as Tree;
    expect(configMap.metadata.labels.grafana_dashboard).toBe('1');
    expect(JSON.parse(configMap.data['vault-raft-backup.json']).uid).toBe('vault-raft-backup');
  });

  it('has an alert for a missing, failing and shrinking backup, a failing and missing drill, and a restore, each missing one also from kube-state-metrics', () => {
    const alerts = ruleGroups().flatMap((g) => g.rules.map((r) => `${r.alert} ${r.labels.severity}`));

    expect(alerts).toEqual([
      'VaultRaftBackupMissing critical',
      'VaultRaftBackupCronJobMissing critical',
      'VaultRaftBackupFailing warning',
      'VaultRaftBackupSnapshotShrank warning',
      'VaultRaftBackupDrillFailing critical',
      'VaultRaftBackupDrillMissing warning',
      'VaultRaftBackupDrillCronJobMissing warning',
      'VaultRaftBackupRestoreFinished info',
      'VaultRaftBackupRestoreFailed warning',
    ]);
  });

  it('takes its windows from the settings', () => {
    const rules = ruleGroups({ ...DEFAULT_SETTINGS, missingAfter: '30h', cronJob: 'vault-backup', drillMissingAfter: '15d', drillCronJob: 'drill' }).flatMap((g) => g.rules);
    const by = (name: string) => rules.find((r) => r.alert === name);

    expect(by('VaultRaftBackupMissing')?.expr).toMatch(/> 30 \* 3600$/);
    expect(by('VaultRaftBackupMissing')?.annotations.summary).toContain('more than 30h');
    expect(by('VaultRaftBackupCronJobMissing')?.expr).toContain('cronjob="vault-backup"');
    expect(by('VaultRaftBackupDrillMissing')?.expr).toMatch(/> 15 \* 86400$/);
    expect(by('VaultRaftBackupDrillCronJobMissing')?.expr).toContain('cronjob="drill"');
    expect(by('VaultRaftBackupDrillCronJobMissing')?.expr).toContain('> 15 * 86400');
  });
});

describe('the monitoring checks fail on', () => {
  // <root>/manifests/monitoring and <root>/docs/MONITORING.md, as in the repository
  let root: string;
  const manifests = () => join(root, 'manifests');
  const dir = () => join(manifests(), 'monitoring');
  const edit = (path: string, change: (text: string) => string) => writeFileSync(path, change(readFileSync(path, 'utf8')));

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'monitoring-'));
    cpSync(join(MANIFESTS_DIR, 'monitoring'), dir(), { recursive: true });
    mkdirSync(join(root, 'docs'));
    cpSync(join(MANIFESTS_DIR, '..', 'docs', 'MONITORING.md'), join(root, 'docs', 'MONITORING.md'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('a misspelled field in the PrometheusRule, and a hand edit that the plain rules file does not have', () => {
    edit(join(dir(), 'prometheusrule.yaml'), (t) => t.replace('      rules:\n', '      rulez: []\n      rules:\n').replace('severity: critical', 'severity: page'));

    const problems = checkMonitoring(manifests()).join('\n');

    expect(problems).toMatch(/PrometheusRule\/vault-raft-backup: \/spec\/groups\/0\/rulez: unknown field "rulez"/);
    expect(problems).toMatch(/prometheusrule.yaml: not what the generator makes/);
    expect(problems).toMatch(/prometheusrule.yaml and prometheus-rules.yaml do not hold the same rule groups/);
  });

  it('a dashboard that queries a metric no step pushes, or has lost its sidecar label', () => {
    edit(join(dir(), 'dashboard.json'), (t) => t.replaceAll('vault_raft_backup_retained_snapshots', 'vault_raft_backup_kept_snapshots'));
    edit(join(dir(), 'grafana-dashboard.yaml'), (t) => t.replace('\n    grafana_dashboard: "1"\n', '\n    grafana_dashboard: "0"\n'));

    const problems = checkMonitoring(manifests()).join('\n');

    expect(problems).toMatch(/dashboard.json panel "Snapshots kept": vault_raft_backup_kept_snapshots is no metric the steps push/);
    expect(problems).toMatch(/expected one ConfigMap labelled grafana_dashboard: "1"/);
  });

  it('a runbook section that the docs no longer have', () => {
    edit(join(root, 'docs', 'MONITORING.md'), (t) => t.replace('### VaultRaftBackupFailing', '### Failing backups'));

    expect(checkMonitoring(manifests())).toEqual([expect.stringMatching(/VaultRaftBackupFailing: runbook_url points at #vaultraftbackupfailing, which is no heading of docs\/MONITORING.md/)]);
  });
});

describe('alert rule checks', () => {
  const docs = { 'MONITORING.md': '# Monitoring\n\n### VaultRaftBackupMissing\n' };

  it('want a severity, a summary, what to check first and a runbook section that exists', () => {
    const [group] = ruleGroups();
    const rule = { ...(group?.rules[0] as Tree), labels: { severity: 'page' }, annotations: { summary: '', description: 'Something broke.', runbook_url: 'https://example.org/docs/MONITORING.md#nowhere' } };

    const problems = checkAlertRules([{ name: 'g', rules: [rule] }], docs, 'x');

    expect(problems).toEqual([
      'x g/VaultRaftBackupMissing: labels.severity must be critical, warning or info',
      'x g/VaultRaftBackupMissing: no summary annotation',
      'x g/VaultRaftBackupMissing: the description must say what to check first ("Check first: ...")',
      'x g/VaultRaftBackupMissing: runbook_url points at #nowhere, which is no heading of docs/MONITORING.md',
    ]);
  });

  it('read GitHub\'s heading anchors', () => {
    expect([...anchorsOf('## Counting failures\n### `last_run_success` and you, 2x\n')]).toEqual(['counting-failures', 'last_run_success-and-you-2x']);
  });
});

describe('the PrometheusRule schema', () => {
  const valid = () => ({ apiVersion: 'monitoring.coreos.com/v1', kind: 'PrometheusRule', metadata: { name: 'r' }, spec: { groups: [{ name: 'g', rules: [{ alert: 'A', expr: 'up == 0', for: '5m', labels: { severity: 'x' } }, { record: 'job:up:sum', expr: 'sum by (job) (up)' }] }] } }) as Tree;

  it('accepts alerting and recording rules', () => {
    expect(validatePrometheusRule(valid())).toEqual([]);
  });

  it.each([
    ['an unknown rule field', (o: Tree) => (o.spec.groups[0].rules[0].expression = 'x'), '/spec/groups/0/rules/0/expression: unknown field "expression"'],
    ['a bad duration', (o: Tree) => (o.spec.groups[0].rules[0].for = '5 minutes'), '/spec/groups/0/rules/0/for: must be a Prometheus duration such as 5m or 1h30m'],
    ['both alert and record', (o: Tree) => (o.spec.groups[0].rules[1].alert = 'B'), '/spec/groups/0/rules/1: a rule has exactly one of alert and record'],
    ['a rule without expr', (o: Tree) => delete o.spec.groups[0].rules[0].expr, '/spec/groups/0/rules/0/expr'],
    ['two groups of one name', (o: Tree) => o.spec.groups.push({ name: 'g', rules: [] }), '/spec/groups: group names must be unique'],
    ['an unknown top-level field', (o: Tree) => (o.status = {}), '/status: unknown field "status"'],
  ])('rejects %s', (_what, mutate, problem) => {
    const o = valid();
    mutate(o);

    expect(validatePrometheusRule(o).join('\n')).toContain(problem);
  });
});

describe('the push-metrics component in an overlay', () => {
  const MERGE_KEYS = ['name', 'mountPath'];
  const normalize = (v: unknown): unknown => {
    if (Array.isArray(v)) {
      const items = v.map(normalize);
      const key = MERGE_KEYS.find((k) => items.length > 0 && items.every((i) => isRecord(i) && i[k] !== undefined));
      return key ? [...items].sort((a, b) => String((a as Tree)[key]).localeCompare(String((b as Tree)[key]))) : items;
    }
    return isRecord(v) ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, normalize(x)])) : v;
  };
  const byId = (objects: readonly unknown[]) => Object.fromEntries(objects.map((o) => [`${(o as Tree).kind}/${(o as Tree).metadata.name}`, normalize(o)]));

  it('renders exactly as kubectl kustomize did (test/monitoring/overlay.kubectl.yaml)', () => {
    expect(byId(render(OVERLAY))).toEqual(byId(readYamlDocuments(join(__dirname, 'monitoring', 'overlay.kubectl.yaml'))));
  });

  it('gives every step the Pushgateway and the instance, and the pod a way out to the gateway, and passes the backup checks', () => {
    const objects = render(OVERLAY);
    const pod = (objects.find((o) => o.kind === 'CronJob') as Tree).spec.jobTemplate.spec.template.spec;
    const policy = objects.find((o) => o.kind === 'NetworkPolicy') as Tree;

    for (const c of [...pod.initContainers, ...pod.containers]) expect(c.env.map((e: Tree) => e.name)).toEqual(expect.arrayContaining(['PROMETHEUS_PUSHGATEWAY_URL', 'METRICS_INSTANCE']));
    expect(policy.spec.egress.at(-1).ports).toEqual([{ protocol: 'TCP', port: 9091 }]);
    expect(checkBackupObjects(objects, 'overlay')).toEqual([]);
  });

  it('is refused by the renderer when used as a resource or with fields it does not apply', () => {
    const dir = mkdtempSync(join(tmpdir(), 'component-'));
    try {
      cpSync(join(MANIFESTS_DIR, 'monitoring', 'push-metrics'), join(dir, 'c'), { recursive: true });
      writeFileSync(join(dir, 'c', 'kustomization.yaml'), `${readFileSync(join(dir, 'c', 'kustomization.yaml'), 'utf8')}namespace: x\n`);
      writeFileSync(join(dir, 'kustomization.yaml'), `resources: [${join(MANIFESTS_DIR, 'backup', 'base')}]\ncomponents: [c]\n`);

      expect(() => render(join(MANIFESTS_DIR, 'monitoring', 'push-metrics'))).toThrow(/a Component is used from components:/);
      expect(() => render(dir)).toThrow(/fields not supported in a component by this renderer: namespace/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
