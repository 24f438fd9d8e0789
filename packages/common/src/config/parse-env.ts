import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import { ConfigError } from '../errors';
import { registerSecret } from '../log';

/** What an entrypoint reads from its environment: one zod object plus the names that also accept `NAME_FILE`. */
export interface EnvSpec<T extends z.ZodObject> {
  schema: T;
  /** Variables that may instead be given as `NAME_FILE` (file content, trimmed). */
  fileVars?: readonly string[];
  /** Variables whose values are secrets: registered for log redaction (schema or passthrough names, e.g. AWS_SESSION_TOKEN). */
  secrets?: readonly string[];
  /** Variables read by libraries rather than the schema (e.g. the AWS SDK's own), listed for --help and manifest checks. */
  passthrough?: readonly { name: string; help: string }[];
}

type Env = Record<string, string | undefined>;

function resolveFiles(spec: EnvSpec<z.ZodObject>, env: Env, problems: string[]): Env {
  const out: Env = { ...env };
  for (const name of spec.fileVars ?? []) {
    const file = env[`${name}_FILE`];
    if (file === undefined || file === '') continue;
    if (env[name] !== undefined && env[name] !== '') {
      problems.push(`${name} and ${name}_FILE are both set: use one`);
      continue;
    }
    try {
      out[name] = readFileSync(file, 'utf8').trim();
      if (out[name] === '') problems.push(`${name}_FILE: file ${file} is empty`);
    } catch (err) {
      problems.push(`${name}_FILE: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  }
  return out;
}

/**
 * Validates the environment against an entrypoint's spec and returns typed config.
 * Empty strings count as unset, so a default applies.
 * @throws ConfigError listing every problem at once.
 */
export function parseEnv<T extends z.ZodObject>(spec: EnvSpec<T>, env: Env): z.output<T> {
  const problems: string[] = [];
  const resolved = resolveFiles(spec, env, problems);
  const input: Record<string, string> = {};
  for (const key of Object.keys(spec.schema.shape)) {
    const v = resolved[key];
    if (v !== undefined && v !== '') input[key] = v;
  }
  // from the whole environment: a passthrough secret (read by a library, not the schema) is registered too
  for (const name of spec.secrets ?? []) registerSecret(resolved[name]);
  const result = spec.schema.safeParse(input);
  if (!result.success) {
    for (const issue of result.error.issues) {
      const name = issue.path.join('.') || '(environment)';
      const shown = issue.code === 'invalid_type' && input[name] === undefined ? 'is required' : issue.message;
      problems.push(`${name}: ${shown}`);
    }
  }
  if (problems.length > 0) throw new ConfigError([...new Set(problems)]);
  return (result as { data: z.output<T> }).data;
}

/** Every variable name the spec understands, including `NAME_FILE` forms and passthrough names. */
export function knownEnvNames(spec: EnvSpec<z.ZodObject>): string[] {
  const names = Object.keys(spec.schema.shape);
  for (const f of spec.fileVars ?? []) names.push(`${f}_FILE`);
  for (const p of spec.passthrough ?? []) names.push(p.name);
  return names;
}

/** Names that must be set (directly or through `NAME_FILE`) for the config to parse. */
export function requiredEnvNames(spec: EnvSpec<z.ZodObject>): string[] {
  return Object.entries(spec.schema.shape)
    .filter(([, field]) => !(field as z.ZodType).safeParse(undefined).success)
    .map(([name]) => name);
}
