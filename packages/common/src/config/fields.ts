import { z } from 'zod';
import { checkHttpUrl, registerUrlSecrets, type UrlRules } from './url';

// Config errors never repeat a value: a URL may hold a password, and any other value may be
// huge or pasted into the wrong variable. Each message states the rule instead.

/** `true` or `false` only; anything else is an error (no truthy strings). */
export function bool(defaultValue: boolean) {
  return z
    .enum(['true', 'false'], { error: 'must be "true" or "false"' })
    .default(defaultValue ? 'true' : 'false')
    .transform((v) => v === 'true');
}

/** The longest delay Node's timers take (2^31-1 ms, about 24.8 days); a longer one fires at once. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Milliseconds as the shortest exact `500ms`/`30s`/`5m`/`1h` form (for messages and --help). */
export function formatMs(ms: number): string {
  for (const [unit, n] of [['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const) if (ms % n === 0) return `${ms / n}${unit}`;
  return `${ms}ms`;
}

/**
 * A duration such as `30s`, `500ms`, `5m`, `1h` (bare numbers are seconds), parsed to milliseconds.
 * Always a real timeout: 1 ms .. 2^31-1 ms (Node's timer range; 0 would fire at once, so no field
 * uses 0 for "off"), narrowed by `limits` in milliseconds.
 */
export function duration(defaultValue: string, limits: { min?: number; max?: number } = {}) {
  const min = Math.max(1, limits.min ?? 1);
  const max = Math.min(MAX_TIMER_MS, limits.max ?? MAX_TIMER_MS);
  const range = `must be between ${formatMs(min)} and ${max === MAX_TIMER_MS ? `${MAX_TIMER_MS}ms (about 24.8 days, the longest timer Node can set)` : formatMs(max)}`;
  return z
    .string()
    .default(defaultValue)
    .transform((v, ctx) => {
      const m = DURATION.exec(v.trim());
      if (!m?.[1]) {
        ctx.addIssue({ code: 'custom', message: 'must be a duration like 30s, 500ms, 5m or 1h' });
        return z.NEVER;
      }
      const ms = Math.round(Number(m[1]) * (UNIT_MS[m[2] ?? 's'] ?? 1000));
      if (!(ms >= min && ms <= max)) {
        ctx.addIssue({ code: 'custom', message: range });
        return z.NEVER;
      }
      return ms;
    });
}

const SIZE = /^(\d+)\s*(B|KiB|MiB|GiB|KB|MB|GB)?$/;
const UNIT_BYTES: Record<string, number> = { B: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3, KB: 1e3, MB: 1e6, GB: 1e9 };

/** Bytes as the shortest exact `64MiB`/`512KiB`/`100B` form (for messages). */
export function formatBytes(bytes: number): string {
  for (const [unit, n] of [['GiB', 1024 ** 3], ['MiB', 1024 ** 2], ['KiB', 1024]] as const) if (bytes % n === 0) return `${bytes / n}${unit}`;
  return `${bytes}B`;
}

/** A byte size such as `64MiB` or `1048576`, parsed to bytes, within the limits of its use. */
export function size(defaultValue: string, limits: { min: number; max: number }) {
  return z
    .string()
    .default(defaultValue)
    .transform((v, ctx) => {
      const m = SIZE.exec(v.trim());
      if (!m?.[1]) {
        ctx.addIssue({ code: 'custom', message: 'must be a size like 64MiB or 1048576' });
        return z.NEVER;
      }
      const bytes = Number(m[1]) * (UNIT_BYTES[m[2] ?? 'B'] ?? 1);
      if (!(bytes >= limits.min && bytes <= limits.max)) {
        ctx.addIssue({ code: 'custom', message: `must be between ${formatBytes(limits.min)} and ${formatBytes(limits.max)}` });
        return z.NEVER;
      }
      return bytes;
    });
}

/** The bound of a count whose field names none: far above any sane number of retries, attempts or key shares. */
export const COUNT_MAX = 100;

/** A non-negative integer given as a string, within `limits` (default 0 .. {@link COUNT_MAX}). */
export function count(defaultValue: number, limits: { min?: number; max?: number } = {}) {
  const min = limits.min ?? 0;
  const max = limits.max ?? COUNT_MAX;
  return z
    .string()
    .default(String(defaultValue))
    .transform((v, ctx) => {
      const n = /^\d+$/.test(v.trim()) ? Number(v.trim()) : Number.NaN;
      if (!(n >= min && n <= max)) {
        ctx.addIssue({ code: 'custom', message: `must be a whole number from ${min} to ${max}` });
        return z.NEVER;
      }
      return n;
    });
}

/**
 * An http(s) URL with a host and a port from 1 to 65535, without query or fragment, returned
 * without a trailing slash. Userinfo (`http://user:pw@host`) is accepted and registered as a
 * secret, so no log line shows it.
 */
export function httpUrl(defaultValue?: string, rules: UrlRules = {}) {
  const base = z.string().transform((v, ctx) => {
    const problem = checkHttpUrl(v, rules);
    if (problem) {
      ctx.addIssue({ code: 'custom', message: problem });
      return z.NEVER;
    }
    registerUrlSecrets(v);
    return v.replace(/\/+$/, '');
  });
  return defaultValue === undefined ? base : z.string().default(defaultValue).pipe(base);
}

/** Comma-separated http(s) URLs (each as {@link httpUrl}), trimmed; empty entries are skipped. Problems name the position, never the value. */
export function httpUrlList(rules: UrlRules = {}) {
  return z
    .string()
    .default('')
    .transform((v, ctx) => {
      const urls = v.split(',').map((a) => a.trim()).filter((a) => a !== '');
      urls.forEach((url, i) => {
        const problem = checkHttpUrl(url, rules);
        if (problem) ctx.addIssue({ code: 'custom', message: `address ${i + 1} of ${urls.length} ${problem}` });
        else registerUrlSecrets(url);
      });
      return urls.map((url) => url.replace(/\/+$/, ''));
    });
}

/** A required non-empty string. */
export function required(what = 'value') {
  return z.string({ error: 'is required' }).min(1, `${what} must not be empty`);
}
