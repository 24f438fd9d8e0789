import { randomUUID } from 'node:crypto';
import { newAccessor } from './crypto';
import { HttpError, inCidr, parseDuration, stringList } from './http-util';
import { issueToken, type Model, nowSeconds, type RoleEntry, type SecretIdEntry, type TokenEntry } from './model';

/** Vault's system default and max lease TTL (768h) used when a role sets none. */
export const SYSTEM_TTL = 2764800;

/** Role settings as the role API accepts them (durations as seconds or `30s`-style strings). */
export interface RoleParams {
  token_ttl?: number | string;
  token_max_ttl?: number | string;
  token_policies?: string[] | string;
  policies?: string[] | string;
  secret_id_ttl?: number | string;
  secret_id_num_uses?: number;
  secret_id_bound_cidrs?: string[] | string;
  token_bound_cidrs?: string[] | string;
  bind_secret_id?: boolean;
  token_num_uses?: number;
  role_id?: string;
}

/** Creates or updates a role, keeping fields that `params` leaves out. @throws HttpError 400 on bad values. */
export function writeRole(model: Model, mount: string, name: string, params: RoleParams): RoleEntry {
  const key = `${mount}/${name}`;
  const old = model.roles.get(key);
  const pick = <T>(value: unknown, convert: (v: unknown) => T, fallback: T): T => (value === undefined ? fallback : convert(value));
  const role: RoleEntry = {
    mount,
    name,
    roleId: typeof params.role_id === 'string' && params.role_id !== '' ? params.role_id : (old?.roleId ?? randomUUID()),
    bindSecretId: pick(params.bind_secret_id, (v) => v !== false && v !== 'false', old?.bindSecretId ?? true),
    secretIdTtl: pick(params.secret_id_ttl, (v) => parseDuration(v, 'secret_id_ttl'), old?.secretIdTtl ?? 0),
    secretIdNumUses: pick(params.secret_id_num_uses, Number, old?.secretIdNumUses ?? 0),
    secretIdBoundCidrs: pick(params.secret_id_bound_cidrs, stringList, old?.secretIdBoundCidrs ?? []),
    tokenBoundCidrs: pick(params.token_bound_cidrs, stringList, old?.tokenBoundCidrs ?? []),
    tokenTtl: pick(params.token_ttl, (v) => parseDuration(v, 'token_ttl'), old?.tokenTtl ?? 0),
    tokenMaxTtl: pick(params.token_max_ttl, (v) => parseDuration(v, 'token_max_ttl'), old?.tokenMaxTtl ?? 0),
    tokenPolicies: pick(params.token_policies ?? params.policies, stringList, old?.tokenPolicies ?? []),
    tokenNumUses: pick(params.token_num_uses, Number, old?.tokenNumUses ?? 0),
  };
  if (role.tokenMaxTtl > 0 && role.tokenTtl > role.tokenMaxTtl) throw new HttpError(400, ['"token_ttl" value must be less than "token_max_ttl" value']);
  if (!role.bindSecretId && role.secretIdBoundCidrs.length === 0 && role.tokenBoundCidrs.length === 0) {
    throw new HttpError(400, ['at least one constraint should be enabled on the role']);
  }
  model.roles.set(key, role);
  return role;
}

/** Issues a secret ID for a role. */
export function issueSecretId(model: Model, role: RoleEntry, params: { ttl?: unknown; num_uses?: unknown; cidr_list?: unknown }): SecretIdEntry {
  const entry: SecretIdEntry = {
    mount: role.mount,
    roleName: role.name,
    secretId: randomUUID(),
    accessor: randomUUID(),
    creationTime: nowSeconds(),
    ttl: params.ttl === undefined ? role.secretIdTtl : parseDuration(params.ttl, 'ttl'),
    numUses: params.num_uses === undefined ? role.secretIdNumUses : Number(params.num_uses),
    cidrs: params.cidr_list === undefined ? role.secretIdBoundCidrs : stringList(params.cidr_list),
  };
  model.secretIds.set(`${role.mount}/${entry.secretId}`, entry);
  return entry;
}

/** Why a login is refused: `invalid` counts as a failed login for lockout. */
export type LoginFailure = { kind: 'invalid' | 'other'; error: HttpError };

function findSecret(model: Model, role: RoleEntry, secretId: string): SecretIdEntry | undefined {
  const entry = model.secretIds.get(`${role.mount}/${secretId}`);
  if (!entry || entry.roleName !== role.name) return undefined;
  if (entry.ttl > 0 && entry.creationTime + entry.ttl <= nowSeconds()) return undefined;
  return entry;
}

/** Checks role ID, secret ID and CIDRs and issues a token. */
export function login(model: Model, mount: string, body: Record<string, unknown>, ip: string): TokenEntry | LoginFailure {
  const invalid: LoginFailure = { kind: 'invalid', error: new HttpError(400, ['invalid role or secret ID']) };
  const role = [...model.roles.values()].find((r) => r.mount === mount && r.roleId === body.role_id);
  if (!role) return invalid;
  if (role.secretIdBoundCidrs.length > 0 && !role.secretIdBoundCidrs.some((c) => inCidr(ip, c))) {
    return { kind: 'other', error: new HttpError(400, [`source address "${ip}" unauthorized through CIDR restrictions on the role`]) };
  }
  if (role.bindSecretId) {
    if (typeof body.secret_id !== 'string' || body.secret_id === '') return { kind: 'other', error: new HttpError(400, ['missing secret_id']) };
    const secret = findSecret(model, role, body.secret_id);
    if (!secret) return invalid;
    if (secret.cidrs.length > 0 && !secret.cidrs.some((c) => inCidr(ip, c))) {
      return { kind: 'other', error: new HttpError(400, [`source address "${ip}" unauthorized through CIDR restrictions on the secret ID`]) };
    }
    if (secret.numUses > 0 && --secret.numUses === 0) model.secretIds.delete(`${mount}/${secret.secretId}`);
  }
  const ttl = role.tokenTtl || Math.min(role.tokenMaxTtl || SYSTEM_TTL, SYSTEM_TTL);
  return issueToken(model, {
    policies: ['default', ...role.tokenPolicies.filter((p) => p !== 'default')],
    ttl: role.tokenMaxTtl > 0 ? Math.min(ttl, role.tokenMaxTtl) : ttl,
    explicitMaxTtl: role.tokenMaxTtl,
    path: `auth/${mount}/login`,
    displayName: mount,
    boundCidrs: role.tokenBoundCidrs,
    meta: { role_name: role.name },
    numUses: role.tokenNumUses,
    renewable: true,
    accessor: newAccessor(),
  });
}
