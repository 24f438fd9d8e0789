import role from '../../../manifests/vault/approle-role.json';
import type { Config } from './config';

const UNIT: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** Seconds of a Vault duration (`600`, `10m`, `720h`, `30d`). */
export function seconds(value: string): number {
  const m = /^(\d+)([smhd]?)$/.exec(value.trim());
  return m?.[1] ? Number(m[1]) * (UNIT[m[2] || 's'] ?? 1) : Number.NaN;
}

/** The body of `POST auth/<mount>/role/<name>`: manifests/vault/approle-role.json with the config's overrides. */
export function desiredRole(config: Config): Record<string, unknown> {
  const cidrs = (config.SETUP_BOUND_CIDRS ?? '')
    .split(',')
    .map((c) => c.trim())
    .filter((c) => c !== '');
  return {
    ...role,
    token_policies: [config.SETUP_POLICY_NAME],
    token_ttl: seconds(config.SETUP_TOKEN_TTL),
    token_max_ttl: seconds(config.SETUP_TOKEN_MAX_TTL),
    secret_id_ttl: seconds(config.SETUP_SECRET_ID_TTL),
    secret_id_bound_cidrs: cidrs,
    token_bound_cidrs: cidrs,
  };
}

function same(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && [...a].map(String).sort().join('\n') === [...b].map(String).sort().join('\n');
  if (typeof a === 'string' && typeof b === 'number') return seconds(a) === b;
  return a === b;
}

/** Names of the settings whose current value differs from the desired one (a field Vault does not report counts as different). */
export function roleDifferences(current: Record<string, unknown>, desired: Record<string, unknown>): string[] {
  return Object.keys(desired).filter((k) => !same(desired[k], current[k] ?? (Array.isArray(desired[k]) ? [] : undefined)));
}
