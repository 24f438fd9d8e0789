import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { checkBackupObjects } from './check-backup';
import { checkDrillObjects } from './check-drill';
import { checkMonitoring } from './check-monitoring';
import { checkRestoreValues, helmMerge } from './helm-values';
import { render } from './render';
import { EXAMPLE_COMBINATIONS, RESTORE_CHARTS, type RestoreChart } from './restore-charts';
import { readYamlFile } from './yaml-io';

/** The manifests folder of this repository. */
export const MANIFESTS_DIR = join(__dirname, '..');

/** The overlays of a kustomize tree (each folder under <tree>/overlays): backup by default, or drill. */
export function overlayDirs(manifestsDir = MANIFESTS_DIR, tree: 'backup' | 'drill' = 'backup'): string[] {
  const root = join(manifestsDir, tree, 'overlays');
  if (!existsSync(root)) return [];
  return readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => join(root, d.name))
    .sort();
}

/** One documented `helm install` of the restore: a chart and its values files in order. */
export interface RestoreValueSet {
  chart: RestoreChart;
  files: string[];
}

/**
 * The restore values sets as Helm would be given them, per chart: values-restore.yaml
 * alone and with each documented combination of examples (those whose files exist).
 */
export function restoreValueSets(manifestsDir = MANIFESTS_DIR, charts: readonly RestoreChart[] = ['vault', 'openbao']): RestoreValueSet[] {
  const sets: RestoreValueSet[] = [];
  for (const chart of charts) {
    const dir = join(manifestsDir, RESTORE_CHARTS[chart].valuesDir);
    const base = join(dir, 'values-restore.yaml');
    if (!existsSync(base)) continue;
    for (const combination of EXAMPLE_COMBINATIONS) {
      const files = combination.map((f) => join(dir, 'examples', f));
      if (files.every((f) => existsSync(f))) sets.push({ chart, files: [base, ...files] });
    }
  }
  return sets;
}

/** Every examples/*.yaml of each chart's values folder (the tests require each to be in a documented set). */
export function exampleFiles(manifestsDir = MANIFESTS_DIR): string[] {
  return Object.values(RESTORE_CHARTS).flatMap(({ valuesDir }) => {
    const dir = join(manifestsDir, valuesDir, 'examples');
    return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort().map((f) => join(dir, f)) : [];
  });
}

/** Merges values files in order, as `helm install -f a -f b`. */
export function mergeValueFiles(files: readonly string[]): unknown {
  return files.reduce<unknown>((acc, f) => helmMerge(acc, readYamlFile(f)), {});
}

/**
 * Runs every offline check over a manifests folder: the backup base rendered
 * alone and through each overlay, every restore values set, and monitoring/.
 * Returns the problems (an exception while rendering becomes one problem).
 */
export function checkAll(manifestsDir = MANIFESTS_DIR): { checked: string[]; problems: string[] } {
  const checked: string[] = [];
  const problems: string[] = [];
  for (const dir of overlayDirs(manifestsDir)) {
    const where = dir.slice(manifestsDir.length + 1);
    checked.push(where);
    try {
      problems.push(...checkBackupObjects(render(dir), where));
    } catch (err) {
      problems.push(`${where}: ${(err as Error).message}`);
    }
  }
  for (const dir of overlayDirs(manifestsDir, 'drill')) {
    const where = dir.slice(manifestsDir.length + 1);
    checked.push(where);
    try {
      problems.push(...checkDrillObjects(render(dir), where));
    } catch (err) {
      problems.push(`${where}: ${(err as Error).message}`);
    }
  }
  for (const { chart, files } of restoreValueSets(manifestsDir)) {
    const where = files.map((f) => f.slice(manifestsDir.length + 1)).join(' + ');
    checked.push(where);
    try {
      problems.push(...checkRestoreValues(mergeValueFiles(files), where, chart));
    } catch (err) {
      problems.push(`${where}: ${(err as Error).message}`);
    }
  }
  if (existsSync(join(manifestsDir, 'monitoring'))) {
    checked.push('monitoring');
    problems.push(...checkMonitoring(manifestsDir));
  }
  return { checked, problems };
}
