import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { checkBackupObjects } from './check-backup';
import { checkMonitoring } from './check-monitoring';
import { checkRestoreValues, helmMerge } from './helm-values';
import { render } from './render';
import { readYamlFile } from './yaml-io';

/** The manifests folder of this repository. */
export const MANIFESTS_DIR = join(__dirname, '..');

/** The backup overlays (each folder under backup/overlays). */
export function overlayDirs(manifestsDir = MANIFESTS_DIR): string[] {
  const root = join(manifestsDir, 'backup', 'overlays');
  return readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => join(root, d.name))
    .sort();
}

/** The restore values sets as Helm would be given them: the base alone, and the base with each example. */
export function restoreValueSets(manifestsDir = MANIFESTS_DIR): string[][] {
  const base = join(manifestsDir, 'restore', 'values-restore.yaml');
  const examples = join(manifestsDir, 'restore', 'examples');
  const extra = existsSync(examples) ? readdirSync(examples).filter((f) => f.endsWith('.yaml')).sort() : [];
  return [[base], ...extra.map((f) => [base, join(examples, f)])];
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
  for (const files of restoreValueSets(manifestsDir)) {
    const where = files.map((f) => f.slice(manifestsDir.length + 1)).join(' + ');
    checked.push(where);
    try {
      problems.push(...checkRestoreValues(mergeValueFiles(files), where));
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
