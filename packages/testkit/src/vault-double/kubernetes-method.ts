import { HttpError, inCidr, stringList } from './http-util';
import { claimsProblem, listContainsGlob } from './jwt-claims';
import { parseJws, publicKeyOf, verifyWithKeys } from './jws';
import type { KubernetesConfig, KubernetesRole } from './method-types';
import { issueRoleToken, stringField, tokenData, tokenSettingsFrom } from './method-token';
import type { Model, TokenEntry } from './model';

// Behaviour of hashicorp/vault-plugin-auth-kubernetes (v0.24): path_config.go, path_role.go, path_login.go.

/** path_config.go `pathConfigWrite`: `kubernetes_host` required, `pem_keys` must parse. @throws HttpError 400 */
export function writeKubernetesConfig(model: Model, mount: string, body: Record<string, unknown>): void {
  const host = stringField(body, 'kubernetes_host');
  if (host === '') throw new HttpError(400, ['no host provided']);
  const caCert = stringField(body, 'kubernetes_ca_cert');
  if (caCert !== '' && !caCert.includes('-----BEGIN CERTIFICATE-----')) throw new HttpError(400, ['The provided CA PEM data contains no valid certificates']);
  const pemKeys = stringList(body.pem_keys);
  if (pemKeys.some((pem) => publicKeyOf(pem) === undefined)) throw new HttpError(400, ['data does not contain any valid RSA or ECDSA public keys']);
  const config: KubernetesConfig = {
    kubernetesHost: host,
    kubernetesCaCert: caCert,
    pemKeys,
    issuer: stringField(body, 'issuer'),
    // the field's default is true (path_config.go)
    disableIssValidation: body.disable_iss_validation === undefined ? true : body.disable_iss_validation === true || body.disable_iss_validation === 'true',
    tokenReviewerJwtSet: stringField(body, 'token_reviewer_jwt') !== '',
  };
  model.methodConfigs.set(mount, { mount, type: 'kubernetes', config });
}

/** path_config.go `pathConfigRead`. */
export function kubernetesConfigData(c: KubernetesConfig): Record<string, unknown> {
  return { kubernetes_host: c.kubernetesHost, kubernetes_ca_cert: c.kubernetesCaCert, pem_keys: c.pemKeys, issuer: c.issuer, disable_iss_validation: c.disableIssValidation, disable_local_ca_jwt: false, token_reviewer_jwt_set: c.tokenReviewerJwtSet, use_annotations_as_alias_metadata: false };
}

/**
 * path_role.go `pathRoleCreateUpdate`: names and namespaces required, `*` not mixed, TTL within max.
 * Returns the warnings Vault adds (no audience). @throws HttpError 400
 */
export function writeKubernetesRole(model: Model, mount: string, name: string, body: Record<string, unknown>): string[] {
  const key = `${mount}/${name.toLowerCase()}`;
  const old = model.methodRoles.get(key);
  const prev = old?.type === 'kubernetes' ? old.role : undefined;
  const role: KubernetesRole = {
    ...tokenSettingsFrom(body, prev),
    boundServiceAccountNames: body.bound_service_account_names === undefined ? (prev?.boundServiceAccountNames ?? []) : stringList(body.bound_service_account_names),
    boundServiceAccountNamespaces: body.bound_service_account_namespaces === undefined ? (prev?.boundServiceAccountNamespaces ?? []) : stringList(body.bound_service_account_namespaces),
    audience: body.audience === undefined ? (prev?.audience ?? '') : stringField(body, 'audience'),
    aliasNameSource: body.alias_name_source === undefined ? (prev?.aliasNameSource ?? 'serviceaccount_uid') : stringField(body, 'alias_name_source'),
  };
  if (role.tokenMaxTtl > 0 && role.tokenTtl > role.tokenMaxTtl) throw new HttpError(400, ['token ttl should not be greater than token max ttl']);
  if (role.boundServiceAccountNames.length === 0) throw new HttpError(400, ['"bound_service_account_names" can not be empty']);
  if (role.boundServiceAccountNames.length > 1 && role.boundServiceAccountNames.includes('*')) throw new HttpError(400, ['can not mix "*" with values']);
  if (role.boundServiceAccountNamespaces.length === 0) throw new HttpError(400, ['"bound_service_account_namespaces" can not be empty if "bound_service_account_namespace_selector" is not set']);
  if (role.boundServiceAccountNamespaces.length > 1 && role.boundServiceAccountNamespaces.includes('*')) throw new HttpError(400, ['can not mix "*" with values']);
  model.methodRoles.set(key, { mount, name: name.toLowerCase(), type: 'kubernetes', role });
  const noAudience = `Role ${name} does not have an audience configured. While audiences are not required, consider specifying one if your use case would benefit from additional JWT claim verification.`;
  return role.audience.trim() === '' ? [noAudience] : [];
}

/** path_role.go `pathRoleRead`. */
export function kubernetesRoleData(r: KubernetesRole): Record<string, unknown> {
  return {
    bound_service_account_names: r.boundServiceAccountNames,
    bound_service_account_namespaces: r.boundServiceAccountNamespaces,
    bound_service_account_namespace_selector: '',
    ...(r.audience !== '' ? { audience: r.audience } : {}),
    alias_name_source: r.aliasNameSource,
    ...tokenData(r),
  };
}

/** The `kubernetes.io` claims of a projected token, or the legacy Secret-based token's (path_login.go `serviceAccount`). */
function serviceAccountOf(claims: Record<string, unknown>): { name: string; namespace: string; uid: string } {
  const k8s = claims['kubernetes.io'] as { namespace?: string; serviceaccount?: { name?: string; uid?: string } } | undefined;
  if (k8s) return { name: k8s.serviceaccount?.name ?? '', namespace: k8s.namespace ?? '', uid: k8s.serviceaccount?.uid ?? '' };
  const legacy = (field: string) => String(claims[`kubernetes.io/serviceaccount/${field}`] ?? '');
  return { name: legacy('service-account.name'), namespace: legacy('namespace'), uid: legacy('service-account.uid') };
}

/**
 * path_login.go `parseAndValidateJWT`: cap's checks (signature against `pem_keys` when set, otherwise
 * none), then the role's names and namespaces. Every failure is a 403; one about the signature is
 * `permission denied` (pathLogin turns "verifying token signature" into logical.ErrPermissionDenied).
 */
function validate(jwt: string, role: KubernetesRole, config: KubernetesConfig): { name: string; namespace: string; uid: string } {
  let claims: Record<string, unknown>;
  try {
    claims = config.pemKeys.length > 0 ? verifyWithKeys(jwt, config.pemKeys) : parseJws(jwt).claims;
  } catch {
    throw new HttpError(403, ['permission denied']);
  }
  const issuer = !config.disableIssValidation && config.issuer !== '' ? config.issuer : undefined;
  const problem = claimsProblem(claims, { ...(issuer ? { issuer } : {}), audiences: role.audience ? [role.audience] : [] }, true);
  if (problem) throw new HttpError(403, [problem]);
  const sa = serviceAccountOf(claims);
  const names = role.boundServiceAccountNames;
  if ((names.length > 1 || names[0] !== '*') && !listContainsGlob(names, sa.name)) throw new HttpError(403, ['service account name not authorized']);
  const namespaces = role.boundServiceAccountNamespaces;
  if (!(namespaces[0] === '*' || listContainsGlob(namespaces, sa.namespace))) throw new HttpError(403, ['namespace not authorized']);
  return sa;
}

/**
 * path_login.go `pathLogin`: role, CIDRs, config, the JWT's checks, the alias (needs the UID), then the
 * TokenReview. The double has no Kubernetes API: its review is the signature check against `pem_keys`,
 * so without them every review fails, as one against an unreachable API server does (403).
 * @throws HttpError with Vault's status and message
 */
export function kubernetesLogin(model: Model, mount: string, body: Record<string, unknown>, ip: string): TokenEntry {
  const roleName = stringField(body, 'role');
  if (roleName === '') throw new HttpError(400, ['missing role']);
  const jwt = stringField(body, 'jwt');
  if (jwt === '') throw new HttpError(400, ['missing jwt']);
  const entry = model.methodRoles.get(`${mount}/${roleName.toLowerCase()}`);
  if (entry?.type !== 'kubernetes') throw new HttpError(400, [`invalid role name "${roleName}"`]);
  const role = entry.role;
  if (role.tokenBoundCidrs.length > 0 && !role.tokenBoundCidrs.some((c) => inCidr(ip, c))) throw new HttpError(403, ['permission denied']);
  const stored = model.methodConfigs.get(mount);
  if (stored?.type !== 'kubernetes') throw new HttpError(500, ['could not load backend configuration']);
  const sa = validate(jwt, role, stored.config);
  if (sa.uid === '') throw new HttpError(500, ['could not parse UID from claims']);
  try {
    if (stored.config.pemKeys.length === 0) throw new Error('no API server to review the token');
    verifyWithKeys(jwt, stored.config.pemKeys);
  } catch {
    throw new HttpError(403, ['permission denied']);
  }
  const meta = { role: entry.name, service_account_name: sa.name, service_account_namespace: sa.namespace, service_account_uid: sa.uid, service_account_secret_name: '' };
  return issueRoleToken(model, mount, role, meta, `${sa.namespace}-${sa.name}`);
}
