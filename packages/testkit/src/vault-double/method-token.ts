import { SYSTEM_TTL } from './approle';
import { newAccessor } from './crypto';
import { HttpError, parseDuration, stringList } from './http-util';
import type { TokenSettings } from './method-types';
import { issueToken, type Model, type TokenEntry } from './model';

/** The token settings of a role write, keeping the old values for fields left out (sdk/helper/tokenutil `ParseTokenFields`). */
export function tokenSettingsFrom(body: Record<string, unknown>, old: TokenSettings | undefined): TokenSettings {
  const pick = <T>(value: unknown, convert: (v: unknown) => T, fallback: T): T => (value === undefined ? fallback : convert(value));
  return {
    tokenPolicies: pick(body.token_policies ?? body.policies, stringList, old?.tokenPolicies ?? []),
    tokenTtl: pick(body.token_ttl ?? body.ttl, (v) => parseDuration(v, 'token_ttl'), old?.tokenTtl ?? 0),
    tokenMaxTtl: pick(body.token_max_ttl ?? body.max_ttl, (v) => parseDuration(v, 'token_max_ttl'), old?.tokenMaxTtl ?? 0),
    tokenBoundCidrs: pick(body.token_bound_cidrs ?? body.bound_cidrs, stringList, old?.tokenBoundCidrs ?? []),
  };
}

/** The token fields of a role read (tokenutil `PopulateTokenData`). */
export function tokenData(s: TokenSettings): Record<string, unknown> {
  return {
    token_bound_cidrs: s.tokenBoundCidrs,
    token_explicit_max_ttl: 0,
    token_max_ttl: s.tokenMaxTtl,
    token_no_default_policy: false,
    token_num_uses: 0,
    token_period: 0,
    token_policies: s.tokenPolicies,
    token_ttl: s.tokenTtl,
    token_type: 'default',
  };
}

/** Issues the token of a successful login (tokenutil `PopulateTokenAuth`; the mount's default TTL when the role sets none). */
export function issueRoleToken(model: Model, mount: string, s: TokenSettings, meta: Record<string, string>, displayName: string): TokenEntry {
  const ttl = s.tokenTtl || Math.min(s.tokenMaxTtl || SYSTEM_TTL, SYSTEM_TTL);
  return issueToken(model, {
    policies: ['default', ...s.tokenPolicies.filter((p) => p !== 'default')],
    ttl: s.tokenMaxTtl > 0 ? Math.min(ttl, s.tokenMaxTtl) : ttl,
    explicitMaxTtl: s.tokenMaxTtl,
    path: `auth/${mount}/login`,
    displayName: `${mount.replace(/\//g, '-')}-${displayName}`,
    boundCidrs: s.tokenBoundCidrs,
    meta,
    renewable: true,
    accessor: newAccessor(),
  });
}

/** A string field of a request body ('' when absent); @throws HttpError 400 like framework.FieldData for a non-string. */
export function stringField(body: Record<string, unknown>, name: string): string {
  const value = body[name];
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new HttpError(400, [`error converting input for field "${name}": expected a string`]);
}
