import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { helmMerge, schemaProblems } from './helm-values';
import type { RestoreChart } from './restore-charts';
import { isRecord, readYamlFile } from './yaml-io';

/**
 * Which of our charts a chart folder holds and its version, from its Chart.yaml.
 * @throws Error when Chart.yaml cannot be read or names another chart.
 */
export function chartOf(chartDir: string): { chart: RestoreChart; version: string } {
  const meta = readYamlFile(join(chartDir, 'Chart.yaml'));
  const name = isRecord(meta) ? meta.name : undefined;
  const version = isRecord(meta) ? String(meta.version) : '?';
  if (name !== 'vault' && name !== 'openbao') throw new Error(`${chartDir}/Chart.yaml names chart ${String(name)}, not vault or openbao`);
  return { chart: name, version };
}

/**
 * Key paths of `values` that the chart's default values do not have. Below a
 * default that is a list, null, a scalar or an empty map (free-form such as
 * annotations or extraEnvironmentVars) anything is allowed.
 */
export function unknownKeyPaths(values: unknown, defaults: unknown, path = ''): string[] {
  if (!isRecord(values) || !isRecord(defaults) || Object.keys(defaults).length === 0) return [];
  const out: string[] = [];
  for (const [key, value] of Object.entries(values)) {
    const here = path ? `${path}.${key}` : key;
    if (!(key in defaults)) out.push(here);
    else out.push(...unknownKeyPaths(value, defaults[key], here));
  }
  return out;
}

/**
 * Checks values files the way Helm would with the real chart: every key exists in
 * the chart's values.yaml, and the files merged over it (in order) pass the chart's
 * values.schema.json. Returns the problems.
 * @throws Error when the chart files cannot be read.
 */
export function checkAgainstChart(chartDir: string, files: readonly string[]): string[] {
  const defaults = readYamlFile(join(chartDir, 'values.yaml'));
  const schema = JSON.parse(readFileSync(join(chartDir, 'values.schema.json'), 'utf8')) as object;
  const problems: string[] = [];
  let merged = defaults;
  for (const file of files) {
    const values = readYamlFile(file);
    problems.push(...unknownKeyPaths(values, defaults).map((p) => `${file}: ${p} is not a value of the chart`));
    merged = helmMerge(merged, values);
  }
  problems.push(...schemaProblems(merged, schema, files.join(' + ')));
  return problems;
}
