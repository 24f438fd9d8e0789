/**
 * The claim checks of hashicorp/cap's `Validator.validateAll` (jwt/jwt.go) after the signature,
 * in its order and with its messages, and the JWT method's claim helpers (vault-plugin-auth-jwt
 * claims.go). Times are epoch seconds.
 */

/** cap jwt.Expected, with the leeways in seconds (0 = cap's default, negative = none). */
export interface Expected {
  issuer?: string;
  subject?: string;
  audiences?: string[];
  expirationLeeway?: number;
  notBeforeLeeway?: number;
  clockSkewLeeway?: number;
}

/** cap `DefaultLeewaySeconds` (exp or nbf derived from the others) and go-jose `jwt.DefaultLeeway` (clock skew). */
const DEFAULT_DERIVED_LEEWAY = 150;
const DEFAULT_CLOCK_SKEW = 60;

function audienceOf(claims: Record<string, unknown>): string[] {
  const aud = claims.aud;
  if (typeof aud === 'string') return aud === '' ? [] : [aud];
  return Array.isArray(aud) ? aud.map(String) : [];
}

const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? Math.floor(v) : 0);
const leewayOf = (value: number | undefined, fallback: number) => (value === undefined || value === 0 ? fallback : Math.max(0, value));

/** The time checks of `validateAll`; undefined when valid. */
function timeProblem(claims: Record<string, unknown>, expected: Expected, allowMissing: boolean, now: number): string | undefined {
  const iat = num(claims.iat);
  let exp = num(claims.exp);
  let nbf = num(claims.nbf);
  if (iat === 0 && exp === 0 && nbf === 0) return allowMissing ? undefined : 'no issued at (iat), not before (nbf), or expiration time (exp) claims in token';
  if (exp === 0) exp = Math.max(iat, nbf) + leewayOf(expected.expirationLeeway, DEFAULT_DERIVED_LEEWAY);
  if (nbf === 0) nbf = iat !== 0 ? iat : exp - leewayOf(expected.notBeforeLeeway, DEFAULT_DERIVED_LEEWAY);
  const skew = leewayOf(expected.clockSkewLeeway, DEFAULT_CLOCK_SKEW);
  if (now + skew < nbf) return 'invalid not before (nbf) claim: token not yet valid';
  if (now - skew > exp) return 'invalid expiration time (exp) claim: token is expired';
  if (iat !== 0 && now + skew < iat) return 'invalid issued at (iat) claim: token issued in the future';
  return undefined;
}

/**
 * cap `validateAll` after the signature: iss, sub, aud, then nbf/exp/iat with leeways.
 * `allowMissing` is `ValidateAllowMissingIatNbfExp` (the Kubernetes method); the JWT method uses `Validate`.
 * Returns cap's error text, or undefined when the claims are valid.
 */
export function claimsProblem(claims: Record<string, unknown>, expected: Expected, allowMissing: boolean, now = Math.floor(Date.now() / 1000)): string | undefined {
  if (expected.issuer && expected.issuer !== claims.iss) return 'invalid issuer (iss) claim';
  if (expected.subject && expected.subject !== claims.sub) return 'invalid subject (sub) claim';
  const audiences = expected.audiences ?? [];
  if (audiences.length > 0 && !audiences.some((a) => audienceOf(claims).includes(a))) return 'invalid audience (aud) claim: audience claim does not match any expected audience';
  return timeProblem(claims, expected, allowMissing, now);
}

/** The token's audiences (`aud` as a string or a list). */
export function audiences(claims: Record<string, unknown>): string[] {
  return audienceOf(claims);
}

/** A claim by name, or by JSON pointer when it starts with `/` (claims.go `getClaim`); numbers as their integer text. */
export function getClaim(claims: Record<string, unknown>, claim: string): unknown {
  let value: unknown = claims;
  if (!claim.startsWith('/')) value = claims[claim];
  else {
    for (const token of claim.slice(1).split('/').map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'))) {
      value = value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>)[token] : undefined;
    }
  }
  return typeof value === 'number' ? String(Math.trunc(value)) : value;
}

function globMatch(pattern: string, value: string): boolean {
  const re = new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  return re.test(value);
}

/** go-secure-stdlib `strutil.StrListContainsGlob`: an entry may hold `*` wildcards. */
export function listContainsGlob(list: readonly string[], value: string): boolean {
  return list.some((entry) => globMatch(entry, value));
}

const asList = (v: unknown): unknown[] | undefined => (Array.isArray(v) ? v : ['string', 'boolean'].includes(typeof v) ? [v] : undefined);

/** claims.go `validateBoundClaims`: every bound claim must be present and match one of its values. Returns the error text or undefined. */
export function boundClaimsProblem(bound: Record<string, unknown>, type: 'string' | 'glob', claims: Record<string, unknown>): string | undefined {
  for (const [claim, expected] of Object.entries(bound)) {
    const actual = getClaim(claims, claim);
    if (actual === undefined || actual === null) return `claim "${claim}" is missing`;
    const actualValues = asList(actual);
    if (!actualValues) return `received claim is not a string, bool, int or list: ${JSON.stringify(actual)}`;
    const expectedValues = asList(expected) ?? [];
    const found = expectedValues.some((e) => actualValues.some((a) => (type === 'glob' ? typeof e === 'string' && typeof a === 'string' && globMatch(e, a) : a === e)));
    if (!found) return `claim "${claim}" does not match any associated bound claim values`;
  }
  return undefined;
}
