import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

const dirs: string[] = [];

/** A fresh temp dir, removed by {@link removeWorkDirs}. */
export function workDir(label: string): string {
  const dir = mkdtempSync(join(tmpdir(), `fault-${label}-`));
  dirs.push(dir);
  return dir;
}

/** Every work dir made so far in this test file (for the secret scan of written files). */
export function workDirs(): readonly string[] {
  return dirs;
}

/** Removes every work dir (afterAll). */
export function removeWorkDirs(): void {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

/** Names of every file under `dir`, relative and sorted (hidden temp files included). */
export function tree(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}

/** sha256 of a small test file, or `missing`. */
export function fileSha(path: string): string {
  return existsSync(path) ? createHash('sha256').update(readFileSync(path)).digest('hex') : 'missing';
}
