import { z } from 'zod';

/** True when the text holds a control character (U+0000..U+001F, U+007F): never part of a key or URL we use. */
export function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

/**
 * Why `value` is not a safe S3 key (or key prefix), or undefined when it is. Stores that
 * normalise paths (s3rver, some gateways) resolve `.` and `..` segments against the bucket in
 * the URL, so `../other/` would reach another bucket; a leading `/` or an empty segment is
 * another way to name a different object than the one intended. A prefix may be empty or end in `/`.
 */
export function checkObjectKey(value: string, kind: 'key' | 'prefix'): string | undefined {
  if (kind === 'prefix' && value === '') return undefined;
  if (value === '') return 'must not be empty';
  if (hasControlCharacter(value)) return 'must not contain control characters';
  if (value.startsWith('/')) return 'must not start with "/" (keys are relative to the bucket)';
  const segments = value.split('/');
  // a prefix's trailing "/" leaves one empty last segment: that is the usual folder form
  if (kind === 'prefix' && segments.length > 1 && segments.at(-1) === '') segments.pop();
  if (segments.some((s) => s === '')) return 'must not contain an empty segment ("//" or a trailing "/")';
  if (segments.some((s) => s === '.' || s === '..')) return 'must not contain "." or ".." segments';
  return undefined;
}

/**
 * An S3 key (`kind: 'key'`) or key prefix (`kind: 'prefix'`, may be empty or end in `/`),
 * checked with {@link checkObjectKey}. Optional: unset stays undefined unless a default is given.
 */
export function objectKey(kind: 'key' | 'prefix') {
  return z.string().superRefine((v, ctx) => {
    const problem = checkObjectKey(v, kind);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });
}
