import { loginFailed, type VaultError } from '@vault-raft-backup/common';
import type { TokenFacts } from './jwt-file';

/** What a refused login is about. */
export interface LoginContext {
  path: string;
  mount: string;
  role: string;
  jwtFile: string;
  facts: TokenFacts;
}

type Side = 'the Vault side' | 'the pod' | 'either side';

/** One of Vault's refusals and what to change: matched on Vault's own error text. */
interface Rule {
  match: RegExp;
  side: Side;
  fix: (c: LoginContext) => string;
}

const list = (values: string[]) => (values.length > 0 ? values.map((v) => `"${v}"`).join(', ') : 'none');
const account = (c: LoginContext) => `ServiceAccount "${c.facts.serviceAccount ?? '?'}" in namespace "${c.facts.namespace ?? '?'}"`;

/**
 * Vault's messages, from vault-plugin-auth-kubernetes path_login.go / path_role.go and
 * vault-plugin-auth-jwt path_login.go / claims.go, and the cap library's claim checks.
 */
const RULES: Rule[] = [
  { match: /invalid role name|role ".*" could not be found/, side: 'the Vault side', fix: (c) => `there is no role "${c.role}" on auth/${c.mount}: create it (vault-raft-backup-setup --auth kubernetes), or set VAULT_AUTH_ROLE to an existing role` },
  {
    match: /service account name not authorized/,
    side: 'either side',
    fix: (c) => `the token is for ${account(c)}, a name the role "${c.role}" does not list in bound_service_account_names: add it there, or run the pod with a ServiceAccount the role names (serviceAccountName)`,
  },
  {
    match: /namespace not authorized/,
    side: 'either side',
    fix: (c) => `the token is for ${account(c)}, a namespace the role "${c.role}" does not list in bound_service_account_namespaces: add it there, or run the backup in a namespace the role names`,
  },
  {
    match: /invalid audience \(aud\) claim/,
    side: 'either side',
    fix: (c) => `the token's audience is ${list(c.facts.audiences)}, not the role "${c.role}"'s audience: set the projected token's audience (serviceAccountToken.audience) to the role's audience (bound_audiences for JWT auth), or change the role's to ${list(c.facts.audiences)}`,
  },
  { match: /audience claim found in JWT but no audiences bound to the role/, side: 'the Vault side', fix: (c) => `the token has the audience ${list(c.facts.audiences)}: set bound_audiences of the role "${c.role}" to it` },
  {
    match: /token is expired/,
    side: 'the pod',
    fix: (c) => `the token in ${c.jwtFile} expired${c.facts.expiresAt ? ` at ${c.facts.expiresAt}` : ''}: mount a projected serviceAccountToken volume (the kubelet renews it) rather than a copied or Secret-based token, and check the node's clock`,
  },
  { match: /token not yet valid|issued in the future/, side: 'the pod', fix: () => "the token is not valid yet by Vault's clock: the clocks of the node and of Vault differ by more than a minute; fix the time sync" },
  { match: /invalid subject \(sub\) claim/, side: 'either side', fix: (c) => `the token's subject is "${c.facts.subject ?? '?'}", not the bound_subject of the role "${c.role}": set bound_subject to it, or run the pod as that role's ServiceAccount` },
  { match: /error validating claims/, side: 'either side', fix: (c) => `the token (${account(c)}) does not match the bound_claims of the role "${c.role}": fix bound_claims, or the pod's ServiceAccount and namespace` },
  { match: /claim ".*" (not found in token|could not be converted)/, side: 'the Vault side', fix: (c) => `the role "${c.role}"'s user_claim names a claim ServiceAccount tokens do not have: use user_claim=sub` },
  { match: /invalid issuer \(iss\) claim/, side: 'the Vault side', fix: (c) => `the token's issuer is "${c.facts.issuer ?? '?'}", not the one auth/${c.mount}/config expects (issuer, or bound_issuer for JWT auth)` },
  {
    match: /error verifying token signature/,
    side: 'the Vault side',
    fix: (c) => `auth/${c.mount}/config has no key that verifies this token: give it this cluster's ServiceAccount issuer keys (jwt_validation_pubkeys, jwks_url or oidc_discovery_url)`,
  },
  {
    match: /^Vault answered 403 \(permission denied\)/,
    side: 'either side',
    fix: (c) =>
      `Vault could not verify the token: on the Vault side, auth/${c.mount}/config must reach the Kubernetes API (kubernetes_host, kubernetes_ca_cert) with a reviewer allowed to create TokenReviews (system:auth-delegator), and the role's token_bound_cidrs must admit the pod; in the pod, ${c.jwtFile} must be a token this cluster issued`,
  },
  { match: /could not load (backend )?configuration/, side: 'the Vault side', fix: (c) => `auth/${c.mount} is not configured: write auth/${c.mount}/config (kubernetes_host for Kubernetes auth; jwt_validation_pubkeys, jwks_url or oidc_discovery_url for JWT auth)` },
  { match: /^Vault answered 404 /, side: 'either side', fix: (c) => `there is no Kubernetes or JWT auth method at auth/${c.mount}: set VAULT_AUTH_MOUNT to its path, or enable it in Vault (vault auth enable kubernetes)` },
];

/**
 * Turns a refused login into a VAULT_LOGIN_FAILED error that keeps Vault's status and message and
 * says what to change on which side (the Vault role or mount, or the pod's ServiceAccount and
 * token); undefined for an error it does not recognise (network, 5xx, sealed).
 */
export function explainLoginFailure(err: VaultError, c: LoginContext): VaultError | undefined {
  const rule = RULES.find((r) => r.match.test(err.message));
  return rule ? loginFailed(err, c.path, `fix on ${rule.side}: ${rule.fix(c)}`) : undefined;
}
