import { z } from 'zod';

/** `true` or `false` only; anything else is an error (no truthy strings). */
export function bool(defaultValue: boolean) {
  return z
    .enum(['true', 'false'], { error: 'must be "true" or "false"' })
    .default(defaultValue ? 'true' : 'false')
    .transform((v) => v === 'true');
}

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** A duration such as `30s`, `500ms`, `5m`, `1h` (bare numbers are seconds), parsed to milliseconds. */
export function duration(defaultValue: string) {
  return z
    .string()
    .default(defaultValue)
    .transform((v, ctx) => {
      const m = DURATION.exec(v.trim());
      if (!m?.[1]) {
        ctx.addIssue({ code: 'custom', message: `must be a duration like 30s, 500ms, 5m or 1h (got "${v}")` });
        return z.NEVER;
      }
      return Math.round(Number(m[1]) * (UNIT_MS[m[2] ?? 's'] ?? 1000));
    });
}

const SIZE = /^(\d+)\s*(B|KiB|MiB|GiB|KB|MB|GB)?$/;
const UNIT_BYTES: Record<string, number> = { B: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3, KB: 1e3, MB: 1e6, GB: 1e9 };

/** A byte size such as `64MiB` or `1048576`, parsed to bytes. */
export function size(defaultValue: string) {
  return z
    .string()
    .default(defaultValue)
    .transform((v, ctx) => {
      const m = SIZE.exec(v.trim());
      if (!m?.[1]) {
        ctx.addIssue({ code: 'custom', message: `must be a size like 64MiB or 1048576 (got "${v}")` });
        return z.NEVER;
      }
      return Number(m[1]) * (UNIT_BYTES[m[2] ?? 'B'] ?? 1);
    });
}

/** A non-negative integer given as a string. */
export function count(defaultValue: number) {
  return z
    .string()
    .default(String(defaultValue))
    .transform((v, ctx) => {
      if (!/^\d+$/.test(v.trim())) {
        ctx.addIssue({ code: 'custom', message: `must be a non-negative integer (got "${v}")` });
        return z.NEVER;
      }
      return Number(v.trim());
    });
}

/** An http(s) URL without a trailing slash. */
export function httpUrl(defaultValue?: string) {
  const base = z
    .string()
    .refine((v) => /^https?:\/\/[^\s/]+/.test(v), { message: 'must be an http:// or https:// URL' })
    .transform((v) => v.replace(/\/+$/, ''));
  return defaultValue === undefined ? base : z.string().default(defaultValue).pipe(base);
}

/** A required non-empty string. */
export function required(what = 'value') {
  return z.string({ error: 'is required' }).min(1, `${what} must not be empty`);
}
