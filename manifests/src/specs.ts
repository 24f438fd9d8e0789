import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type EnvSpec, knownEnvNames, requiredEnvNames } from '@vault-raft-backup/common';
import type { z } from 'zod';

/** Root of the monorepo. */
export const REPO_ROOT = resolve(__dirname, '..', '..');

/** What the checks need to know about one entrypoint package. */
export interface PackageInfo {
  name: string;
  version: string;
  known: Set<string>;
  required: string[];
  /** Names that accept `NAME_FILE`. */
  fileVars: string[];
}

const cache = new Map<string, PackageInfo | undefined>();

function loadConfigSpec(name: string): EnvSpec<z.ZodObject> | undefined {
  if (!existsSync(join(REPO_ROOT, 'packages', name, 'src', 'config.ts'))) return undefined;
  // A template path, so that both jest and esbuild (which bundles every match) resolve it.
  const mod = require(`../../packages/${name}/src/config.ts`) as { spec?: EnvSpec<z.ZodObject> };
  return mod.spec;
}

/**
 * The config spec and version of the entrypoint package named like a container,
 * or undefined when there is no such package with a `src/config.ts` exporting `spec`.
 */
export function packageInfo(name: string): PackageInfo | undefined {
  if (cache.has(name)) return cache.get(name);
  let info: PackageInfo | undefined;
  const pkgFile = join(REPO_ROOT, 'packages', name, 'package.json');
  const spec = /^[a-z0-9-]+$/.test(name) && existsSync(pkgFile) ? loadConfigSpec(name) : undefined;
  if (spec) {
    const version = (JSON.parse(readFileSync(pkgFile, 'utf8')) as { version: string }).version;
    info = { name, version, known: new Set(knownEnvNames(spec)), required: requiredEnvNames(spec), fileVars: [...(spec.fileVars ?? [])] };
  }
  cache.set(name, info);
  return info;
}
