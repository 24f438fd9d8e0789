import type { z } from 'zod';
import type { EnvSpec } from './parse-env';

function defaultOf(field: z.ZodType): string {
  const parsed = field.safeParse(undefined);
  if (!parsed.success) return '(required)';
  const d = (field as { def?: { defaultValue?: unknown; in?: { def?: { defaultValue?: unknown } } } }).def;
  const raw = d?.defaultValue ?? d?.in?.def?.defaultValue;
  if (raw === undefined) return '';
  return String(raw) === '' ? '(empty)' : String(raw);
}

/** The `--help` text: usage line, then a table of every variable with its default and meaning. */
export function renderHelp(name: string, summary: string, spec: EnvSpec<z.ZodObject>, extra = ''): string {
  const rows: [string, string, string][] = [];
  for (const [key, field] of Object.entries(spec.schema.shape)) {
    const f = field as z.ZodType;
    const file = spec.fileVars?.includes(key) ? ` (or ${key}_FILE)` : '';
    rows.push([key + file, defaultOf(f), f.description ?? '']);
  }
  for (const p of spec.passthrough ?? []) rows.push([p.name, '', p.help]);
  const w0 = Math.max(8, ...rows.map((r) => r[0].length));
  const w1 = Math.max(7, ...rows.map((r) => r[1].length));
  const line = (r: [string, string, string]) => `  ${r[0].padEnd(w0)}  ${r[1].padEnd(w1)}  ${r[2]}`;
  return [
    `${name}: ${summary}`,
    '',
    `Usage: ${name} [--help]${extra ? ` ${extra}` : ''}`,
    '',
    'Configured by environment variables:',
    line(['VARIABLE', 'DEFAULT', 'MEANING']),
    ...rows.map(line),
    '',
    'Exit codes: 0 success, 1 failure, 2 invalid configuration (nothing was done).',
    '',
  ].join('\n');
}
