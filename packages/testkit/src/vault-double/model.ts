import { newAccessor, newToken, newUuid } from './crypto';
import type { MethodConfig, MethodRole } from './method-types';

/** A token in the token store. Times are epoch seconds; ttl 0 = never expires. */
export interface TokenEntry {
  id: string;
  accessor: string;
  policies: string[];
  ttl: number;
  explicitMaxTtl: number;
  creationTime: number;
  numUses: number;
  path: string;
  displayName: string;
  boundCidrs: string[];
  meta: Record<string, string> | null;
  revoked: boolean;
  renewable: boolean;
}

/** An AppRole role; durations in seconds. */
export interface RoleEntry {
  mount: string;
  name: string;
  roleId: string;
  bindSecretId: boolean;
  secretIdTtl: number;
  secretIdNumUses: number;
  secretIdBoundCidrs: string[];
  tokenBoundCidrs: string[];
  tokenTtl: number;
  tokenMaxTtl: number;
  tokenPolicies: string[];
  tokenNumUses: number;
}

/** An issued secret ID; numUses 0 = unlimited, ttl 0 = never expires. */
export interface SecretIdEntry {
  mount: string;
  roleName: string;
  secretId: string;
  accessor: string;
  creationTime: number;
  ttl: number;
  numUses: number;
  cidrs: string[];
}

/** A response-wrapped response waiting to be unwrapped. */
export interface WrapEntry {
  token: string;
  accessor: string;
  ttl: number;
  creationTime: number;
  creationPath: string;
  data: Record<string, unknown>;
}

/** An enabled auth method. */
export interface AuthMount {
  type: string;
  accessor: string;
  description: string;
}

/** Everything the barrier protects: what a snapshot carries and a restore replaces. */
export interface Model {
  clusterId: string;
  clusterName: string;
  tokens: Map<string, TokenEntry>;
  policies: Map<string, string>;
  authMounts: Map<string, AuthMount>;
  roles: Map<string, RoleEntry>;
  secretIds: Map<string, SecretIdEntry>;
  kv: Map<string, Record<string, unknown>>;
  wraps: Map<string, WrapEntry>;
  /** Configs of the kubernetes and jwt mounts, by mount path. */
  methodConfigs: Map<string, MethodConfig>;
  /** Roles of the kubernetes and jwt mounts, by `<mount>/<name>`. */
  methodRoles: Map<string, MethodRole>;
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/** A fresh model as `sys/init` leaves it: token auth, the default policy, one root token. */
export function emptyModel(clusterName: string): { model: Model; rootToken: string } {
  const model: Model = {
    clusterId: newUuid(),
    clusterName,
    tokens: new Map(),
    policies: new Map(),
    authMounts: new Map([['token/', { type: 'token', accessor: `auth_token_${newAccessor().slice(0, 8)}`, description: 'token based credentials' }]]),
    roles: new Map(),
    secretIds: new Map(),
    kv: new Map(),
    wraps: new Map(),
    methodConfigs: new Map(),
    methodRoles: new Map(),
  };
  const root = issueToken(model, { policies: ['root'], ttl: 0, path: 'auth/token/root', displayName: 'root' });
  return { model, rootToken: root.id };
}

/** Adds a token to the store. */
export function issueToken(model: Model, init: Partial<TokenEntry> & { policies: string[] }): TokenEntry {
  const entry: TokenEntry = {
    id: newToken(),
    accessor: newAccessor(),
    ttl: 0,
    explicitMaxTtl: 0,
    creationTime: nowSeconds(),
    numUses: 0,
    path: 'auth/token/create',
    displayName: 'token',
    boundCidrs: [],
    meta: null,
    revoked: false,
    renewable: false,
    ...init,
  };
  model.tokens.set(entry.id, entry);
  return entry;
}

/** Seconds left for a token (0 for a token that never expires, negative once expired). */
export function tokenTtlLeft(token: TokenEntry): number {
  return token.ttl === 0 ? 0 : token.creationTime + token.ttl - nowSeconds();
}

/** The token when it exists, is not revoked and has not expired. */
export function liveToken(model: Model, id: string): TokenEntry | undefined {
  const token = model.tokens.get(id);
  if (!token || token.revoked) return undefined;
  if (token.ttl !== 0 && tokenTtlLeft(token) <= 0) return undefined;
  return token;
}
