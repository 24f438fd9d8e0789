import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tree } from './files';

/** A secret found where it does not belong (the value itself is never part of the report). */
export interface Leak {
  kind: string;
  where: string;
}

interface SecretRecord {
  kind: string;
  value: string;
  intendedFile?: string;
}

/** Every secret recorded so far by any test file of this run. */
export function recordedSecrets(dir: string): SecretRecord[] {
  const file = join(dir, 'secrets.jsonl');
  if (!existsSync(file)) return [];
  const out: SecretRecord[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    try {
      if (line) out.push(JSON.parse(line) as SecretRecord);
    } catch {
      // a line another worker is still writing; the global teardown reads it complete
    }
  }
  return out;
}

/** A URL that still carries userinfo (`scheme://user:password@host`): a credential whether or not a test recorded it. */
const URL_USERINFO = /\b[a-z][a-z\d+.-]*:\/\/[^\s/?#@"'<>]+@/i;

function leaksIn(text: string, where: string, secrets: SecretRecord[], path?: string): Leak[] {
  // a value may be recorded several times (e.g. as a key, then as the content of its keys file): any record may allow the file
  const allowed = new Set(secrets.filter((s) => path !== undefined && s.intendedFile === path).map((s) => s.value));
  const seen = new Set<string>();
  const leaks = secrets
    .filter((s) => s.value.length >= 8 && !allowed.has(s.value) && !seen.has(s.value) && text.includes(s.value) && seen.add(s.value))
    .map((s) => ({ kind: s.kind, where }));
  if (URL_USERINFO.test(text)) leaks.push({ kind: 'URL userinfo', where });
  return leaks;
}

/** Looks for every recorded secret in every kept output of the run and in every file under `dirs`. */
export function scanForSecrets(dir: string, dirs: readonly string[] = []): { leaks: Leak[]; secrets: number; outputs: number; files: number } {
  const secrets = recordedSecrets(dir);
  const leaks: Leak[] = [];
  const outputsDir = join(dir, 'outputs');
  const outputs = existsSync(outputsDir) ? readdirSync(outputsDir) : [];
  for (const name of outputs) {
    const text = readFileSync(join(outputsDir, name), 'utf8');
    leaks.push(...leaksIn(text, `output of ${text.slice(2, text.indexOf('\n'))} (${name})`, secrets));
  }
  let files = 0;
  for (const d of dirs) {
    for (const rel of tree(d)) {
      const path = join(d, rel);
      files++;
      leaks.push(...leaksIn(readFileSync(path).toString('latin1'), `file ${path}`, secrets, path));
    }
  }
  return { leaks, secrets: secrets.length, outputs: outputs.length, files };
}
