import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { metricCatalogue } from '@vault-raft-backup/common';
import { validateStrict } from './k8s-schema';
import { checkDashboard, projectMetricNames } from './monitoring/dashboard-checks';
import { DASHBOARD_FILE, GENERATED, generatedFiles } from './monitoring/generate';
import { validatePrometheusRule } from './monitoring/prometheus-rule-schema';
import { checkAlertRules } from './monitoring/rule-checks';
import type { RuleGroup } from './monitoring/rules';
import { render } from './render';
import { isRecord, type K8sObject, readYamlFile } from './yaml-io';

/** The docs next to the manifests folder, by file name (runbook links point into them). */
function docsOf(manifestsDir: string): Record<string, string> {
  const dir = join(manifestsDir, '..', 'docs');
  if (!existsSync(dir)) return {};
  return Object.fromEntries(readdirSync(dir).filter((f) => f.endsWith('.md')).map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
}

function checkObjects(objects: readonly K8sObject[], where: string): string[] {
  const problems: string[] = [];
  for (const o of objects) {
    const at = `${where} ${o.kind}/${o.metadata.name}`;
    const found = o.kind === 'PrometheusRule' ? validatePrometheusRule(o) : validateStrict(o);
    problems.push(...found.map((p) => `${at}: ${p}`));
  }
  if (objects.filter((o) => o.kind === 'PrometheusRule').length !== 1) problems.push(`${where}: expected one PrometheusRule`);
  const dashboards = objects.filter((o) => o.kind === 'ConfigMap' && o.metadata.labels?.grafana_dashboard === '1');
  if (dashboards.length !== 1) problems.push(`${where}: expected one ConfigMap labelled grafana_dashboard: "1" (the Grafana sidecar's convention)`);
  return problems;
}

/** The generated files match what the generator makes of the sources now. */
function checkGenerated(dir: string, where: string): string[] {
  const problems: string[] = [];
  for (const [name, text] of Object.entries(generatedFiles(dir))) {
    const path = join(dir, name);
    if (!existsSync(path) || readFileSync(path, 'utf8') !== text) problems.push(`${where}/${name}: not what the generator makes of manifests/src/monitoring and ${DASHBOARD_FILE}; run npm run monitoring -w @vault-raft-backup/manifests`);
  }
  return problems;
}

/** Rule groups of the plain file; the PrometheusRule must hold the very same. */
function checkSameRules(dir: string, objects: readonly K8sObject[], where: string): { groups: RuleGroup[]; problems: string[] } {
  const file = readYamlFile(join(dir, GENERATED.rulesFile));
  const groups = (isRecord(file) && Array.isArray(file.groups) ? file.groups : []) as RuleGroup[];
  const rule = objects.find((o) => o.kind === 'PrometheusRule');
  const same = rule !== undefined && isDeepStrictEqual((rule.spec as { groups?: unknown } | undefined)?.groups, groups);
  return { groups, problems: same ? [] : [`${where}: ${GENERATED.prometheusRule} and ${GENERATED.rulesFile} do not hold the same rule groups`] };
}

/**
 * Every offline check of manifests/monitoring: the kustomization renders, the PrometheusRule and
 * the ConfigMap pass their schemas (unknown fields included), the generated files are current and
 * say the same, every alert has a severity, a summary, what to check first and a runbook section
 * that exists, and rules and dashboard use only metrics the steps push. promtool's own checks
 * run in test/monitoring-promtool.test.ts.
 */
export function checkMonitoring(manifestsDir: string): string[] {
  const dir = join(manifestsDir, 'monitoring');
  const where = 'monitoring';
  let objects: K8sObject[];
  try {
    objects = render(dir);
  } catch (err) {
    return [`${where}: ${(err as Error).message}`];
  }
  const known = new Set(metricCatalogue().map((r) => r.name));
  const { groups, problems: sameRules } = checkSameRules(dir, objects, where);
  const problems = [...checkObjects(objects, where), ...checkGenerated(dir, where), ...sameRules, ...checkAlertRules(groups, docsOf(manifestsDir), where)];
  for (const r of groups.flatMap((g) => g.rules)) {
    for (const name of projectMetricNames(r.expr)) if (!known.has(name)) problems.push(`${where} ${r.alert}: ${name} is no metric the steps push`);
  }
  try {
    problems.push(...checkDashboard(JSON.parse(readFileSync(join(dir, DASHBOARD_FILE), 'utf8')), known, `${where}/${DASHBOARD_FILE}`));
  } catch (err) {
    problems.push(`${where}/${DASHBOARD_FILE}: ${(err as Error).message}`);
  }
  return problems;
}
