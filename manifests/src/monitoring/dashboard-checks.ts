import { isRecord } from '../yaml-io';

// biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's variable syntax, not a JavaScript template
const DATASOURCE_VARIABLE = '${datasource}';

/** Every PromQL expression of a Grafana dashboard: panel targets (rows included) and variable queries. */
export function dashboardExprs(dashboard: unknown): { where: string; expr: string }[] {
  const out: { where: string; expr: string }[] = [];
  const panels = (list: unknown): void => {
    if (!Array.isArray(list)) return;
    for (const p of list) {
      if (!isRecord(p)) continue;
      for (const t of Array.isArray(p.targets) ? p.targets : []) if (isRecord(t) && typeof t.expr === 'string') out.push({ where: `panel "${String(p.title)}"`, expr: t.expr });
      panels(p.panels);
    }
  };
  if (!isRecord(dashboard)) return out;
  panels(dashboard.panels);
  const vars = isRecord(dashboard.templating) && Array.isArray(dashboard.templating.list) ? dashboard.templating.list : [];
  for (const v of vars) {
    if (!isRecord(v) || v.type !== 'query') continue;
    const q = isRecord(v.query) ? v.query.query : v.query;
    if (typeof q === 'string') out.push({ where: `variable $${String(v.name)}`, expr: q });
  }
  return out;
}

/** The metric names of this project (prefix vault_raft_backup_) that an expression uses. */
export function projectMetricNames(expr: string): string[] {
  return [...expr.matchAll(/\bvault_raft_backup_[a-z0-9_]+/g)].map((m) => m[0]);
}

/**
 * A dashboard the Grafana sidecar can load and that shows only what the steps push: a uid and a
 * title, unique panel ids, every query on the `$datasource` variable, every metric name known.
 */
export function checkDashboard(dashboard: unknown, knownMetrics: ReadonlySet<string>, where: string): string[] {
  if (!isRecord(dashboard)) return [`${where}: not a JSON object`];
  const problems: string[] = [];
  if (typeof dashboard.uid !== 'string' || dashboard.uid === '') problems.push(`${where}: no uid (Grafana would make a new dashboard on every load)`);
  if (typeof dashboard.title !== 'string' || dashboard.title === '') problems.push(`${where}: no title`);
  const ids = new Set<unknown>();
  const visit = (list: unknown): void => {
    for (const p of Array.isArray(list) ? list : []) {
      if (!isRecord(p)) continue;
      if (ids.has(p.id)) problems.push(`${where}: panel id ${String(p.id)} used twice`);
      ids.add(p.id);
      const ds = isRecord(p.datasource) ? p.datasource.uid : undefined;
      if (p.type !== 'row' && ds !== DATASOURCE_VARIABLE) problems.push(`${where}: panel "${String(p.title)}" does not use the $datasource variable`);
      visit(p.panels);
    }
  };
  visit(dashboard.panels);
  for (const { where: w, expr } of dashboardExprs(dashboard)) {
    for (const name of projectMetricNames(expr)) if (!knownMetrics.has(name)) problems.push(`${where} ${w}: ${name} is no metric the steps push`);
  }
  return problems;
}
