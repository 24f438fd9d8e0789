import { HttpError, inCidr, parseDuration, stringList } from './http-util';
import { audiences, boundClaimsProblem, claimsProblem, getClaim } from './jwt-claims';
import { publicKeyOf, verifyWithKeys } from './jws';
import type { JwtConfig, JwtRole } from './method-types';
import { issueRoleToken, stringField, tokenData, tokenSettingsFrom } from './method-token';
import type { Model, TokenEntry } from './model';

// Behaviour of hashicorp/vault-plugin-auth-jwt: path_config.go, path_role.go, path_login.go, claims.go.

/**
 * path_config.go `pathConfigWrite`, the `jwt_validation_pubkeys` form: exactly one key source. The double
 * has no network, so `jwks_url`, `jwks_pairs` and `oidc_discovery_url` are refused. @throws HttpError 400
 */
export function writeJwtConfig(model: Model, mount: string, body: Record<string, unknown>): void {
  const keys = stringList(body.jwt_validation_pubkeys);
  const others = ['jwks_url', 'jwks_pairs', 'oidc_discovery_url'].filter((f) => body[f] !== undefined && body[f] !== '');
  if ((keys.length > 0 ? 1 : 0) + others.length !== 1) throw new HttpError(400, ["exactly one of 'jwt_validation_pubkeys', 'jwks_url', 'jwks_pairs' or 'oidc_discovery_url' must be set"]);
  if (others.length > 0) throw new HttpError(400, [`the Vault double supports jwt_validation_pubkeys only, not ${others[0]}`]);
  if (keys.some((k) => publicKeyOf(k) === undefined)) throw new HttpError(400, ['error parsing public key: data does not contain any valid RSA or ECDSA public keys']);
  const config: JwtConfig = { jwtValidationPubkeys: keys, boundIssuer: stringField(body, 'bound_issuer'), defaultRole: stringField(body, 'default_role') };
  model.methodConfigs.set(mount, { mount, type: 'jwt', config });
}

/** path_config.go `pathConfigRead` (the fields the double keeps). */
export function jwtConfigData(c: JwtConfig): Record<string, unknown> {
  return { jwt_validation_pubkeys: c.jwtValidationPubkeys, bound_issuer: c.boundIssuer, default_role: c.defaultRole, jwks_url: '', oidc_discovery_url: '', jwt_supported_algs: [] };
}

const leeway = (v: unknown, field: string, fallback: number) => (v === undefined ? fallback : typeof v === 'number' ? v : parseDuration(v, field));

/** path_role.go `pathRoleCreateUpdate` for `role_type: jwt`; returns its warnings (none here). @throws HttpError 400 with Vault's messages */
export function writeJwtRole(model: Model, mount: string, name: string, body: Record<string, unknown>): string[] {
  const old = model.methodRoles.get(`${mount}/${name}`);
  const prev = old?.type === 'jwt' ? old.role : undefined;
  const roleType = stringField(body, 'role_type') || prev?.roleType || 'oidc';
  if (roleType !== 'jwt' && roleType !== 'oidc') throw new HttpError(400, [`invalid 'role_type': ${roleType}`]);
  const boundClaimsType = stringField(body, 'bound_claims_type') || prev?.boundClaimsType || 'string';
  if (boundClaimsType !== 'string' && boundClaimsType !== 'glob') throw new HttpError(400, [`invalid 'bound_claims_type': ${boundClaimsType}`]);
  const claims = body.bound_claims ?? prev?.boundClaims ?? {};
  const role: JwtRole = {
    ...tokenSettingsFrom(body, prev),
    roleType,
    boundAudiences: body.bound_audiences === undefined ? (prev?.boundAudiences ?? []) : stringList(body.bound_audiences),
    boundSubject: body.bound_subject === undefined ? (prev?.boundSubject ?? '') : stringField(body, 'bound_subject'),
    boundClaims: typeof claims === 'object' && claims !== null && !Array.isArray(claims) ? (claims as Record<string, unknown>) : {},
    boundClaimsType,
    userClaim: body.user_claim === undefined ? (prev?.userClaim ?? '') : stringField(body, 'user_claim'),
    clockSkewLeeway: leeway(body.clock_skew_leeway, 'clock_skew_leeway', prev?.clockSkewLeeway ?? 60),
    expirationLeeway: leeway(body.expiration_leeway, 'expiration_leeway', prev?.expirationLeeway ?? 150),
    notBeforeLeeway: leeway(body.not_before_leeway, 'not_before_leeway', prev?.notBeforeLeeway ?? 150),
  };
  if (role.userClaim === '') throw new HttpError(400, ['a user claim must be defined on the role']);
  if (roleType === 'oidc') throw new HttpError(400, ["'allowed_redirect_uris' must be set if 'role_type' is 'oidc' or unspecified."]);
  if (role.boundAudiences.length === 0 && role.tokenBoundCidrs.length === 0 && role.boundSubject === '' && Object.keys(role.boundClaims).length === 0) {
    throw new HttpError(400, ['must have at least one bound constraint when creating/updating a role']);
  }
  if (role.tokenMaxTtl > 0 && role.tokenTtl > role.tokenMaxTtl) throw new HttpError(400, ['ttl should not be greater than max ttl']);
  model.methodRoles.set(`${mount}/${name}`, { mount, name, type: 'jwt', role });
  return [];
}

/** path_role.go `pathRoleRead` (the fields the double keeps). */
export function jwtRoleData(r: JwtRole): Record<string, unknown> {
  return {
    role_type: r.roleType,
    bound_audiences: r.boundAudiences,
    bound_subject: r.boundSubject,
    bound_claims: Object.keys(r.boundClaims).length > 0 ? r.boundClaims : null,
    bound_claims_type: r.boundClaimsType,
    user_claim: r.userClaim,
    clock_skew_leeway: r.clockSkewLeeway,
    expiration_leeway: r.expirationLeeway,
    not_before_leeway: r.notBeforeLeeway,
    ...tokenData(r),
  };
}

/** path_login.go `getRoleNameAndRoleFromLoginRequest`. */
function roleFor(model: Model, mount: string, config: JwtConfig, body: Record<string, unknown>): { name: string; role: JwtRole } {
  const name = stringField(body, 'role') || config.defaultRole;
  if (name === '') throw new HttpError(400, ['missing role']);
  const entry = model.methodRoles.get(`${mount}/${name}`);
  if (entry?.type !== 'jwt') throw new HttpError(400, [`role "${name}" could not be found`]);
  return { name, role: entry.role };
}

/** path_login.go `pathLogin` for `role_type: jwt`; every refusal is an ErrorResponse (400) unless noted. @throws HttpError */
export function jwtLogin(model: Model, mount: string, body: Record<string, unknown>, ip: string): TokenEntry {
  const stored = model.methodConfigs.get(mount);
  if (stored?.type !== 'jwt') throw new HttpError(400, ['could not load configuration']);
  const { name, role } = roleFor(model, mount, stored.config, body);
  if (role.roleType === 'oidc') throw new HttpError(400, ['role with oidc role_type is not allowed']);
  const jwt = stringField(body, 'jwt');
  if (jwt === '') throw new HttpError(400, ['missing token']);
  if (role.tokenBoundCidrs.length > 0 && !role.tokenBoundCidrs.some((c) => inCidr(ip, c))) throw new HttpError(403, ['permission denied']);
  let claims: Record<string, unknown>;
  try {
    claims = verifyWithKeys(jwt, stored.config.jwtValidationPubkeys);
  } catch (err) {
    throw new HttpError(400, [`error validating token: error verifying token signature: ${(err as Error).message}`]);
  }
  const expected = { issuer: stored.config.boundIssuer, subject: role.boundSubject, audiences: role.boundAudiences, clockSkewLeeway: role.clockSkewLeeway, expirationLeeway: role.expirationLeeway, notBeforeLeeway: role.notBeforeLeeway };
  const problem = claimsProblem(claims, expected, false);
  if (problem) throw new HttpError(400, [`error validating token: ${problem}`]);
  if (role.boundAudiences.length === 0 && audiences(claims).length > 0) throw new HttpError(400, ['audience claim found in JWT but no audiences bound to the role']);
  const user = getClaim(claims, role.userClaim);
  if (user === undefined || user === null) throw new HttpError(400, [`claim "${role.userClaim}" not found in token`]);
  if (typeof user !== 'string') throw new HttpError(400, [`claim "${role.userClaim}" could not be converted to string`]);
  const claimProblem = boundClaimsProblem(role.boundClaims, role.boundClaimsType, claims);
  if (claimProblem) throw new HttpError(400, [`error validating claims: ${claimProblem}`]);
  return issueRoleToken(model, mount, role, { role: name }, user);
}
