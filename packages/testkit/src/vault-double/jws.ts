import { constants, createPublicKey, type KeyObject, verify } from 'node:crypto';

/**
 * JWS compact tokens as the auth methods read them: go-jose parses (`ParseSigned`), hashicorp/cap
 * verifies against static keys (cap jwt/keyset.go `staticKeySet.VerifySignature`). Errors carry
 * their texts, which Vault passes on.
 */

/** A parsed, not yet verified, token. */
export interface Jws {
  alg: string;
  claims: Record<string, unknown>;
  signingInput: Buffer;
  signature: Buffer;
}

/** Every algorithm cap accepts by default (cap jwt/algs.go; the Kubernetes method's `allowedSigningAlgs`, path_login.go). */
export const SUPPORTED_ALGS = ['RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512', 'PS256', 'PS384', 'PS512'];

function decodeJson(part: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** go-jose `ParseSigned` of the compact form. @throws Error with go-jose's message */
export function parseJws(token: string, allowedAlgs: readonly string[] = SUPPORTED_ALGS): Jws {
  const parts = token.split('.');
  if (parts.length !== 3) throw new Error('go-jose/go-jose: compact JWS format must have three parts');
  const [head = '', body = '', sig = ''] = parts;
  const header = decodeJson(head);
  const claims = decodeJson(body);
  if (!header || !claims) throw new Error('go-jose/go-jose: invalid character in compact JWS');
  const alg = String(header.alg ?? '');
  if (!allowedAlgs.includes(alg)) throw new Error(`go-jose/go-jose: unexpected signature algorithm "${alg}"; expected [${allowedAlgs.join(' ')}]`);
  return { alg, claims, signingInput: Buffer.from(`${head}.${body}`), signature: Buffer.from(sig, 'base64url') };
}

const HASH: Record<string, string> = { '256': 'sha256', '384': 'sha384', '512': 'sha512' };

function verifyOne(jws: Jws, key: KeyObject): boolean {
  const family = jws.alg.slice(0, 2);
  const hash = HASH[jws.alg.slice(2)] ?? 'sha256';
  try {
    if (family === 'ES') return key.asymmetricKeyType === 'ec' && verify(hash, jws.signingInput, { key, dsaEncoding: 'ieee-p1363' }, jws.signature);
    if (key.asymmetricKeyType !== 'rsa') return false;
    if (family === 'PS') return verify(hash, jws.signingInput, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }, jws.signature);
    return verify(hash, jws.signingInput, key, jws.signature);
  } catch {
    return false;
  }
}

/** Public keys from PEM (SPKI or a certificate), as `parsePublicKeyPEM` does; undefined for a PEM that holds none. */
export function publicKeyOf(pem: string): KeyObject | undefined {
  try {
    const key = createPublicKey(pem);
    return key.asymmetricKeyType === 'rsa' || key.asymmetricKeyType === 'ec' ? key : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Verifies the signature against any of the keys (cap `staticKeySet.VerifySignature`) and returns the claims.
 * @throws Error `no known key successfully validated the token signature`, or go-jose's parse error
 */
export function verifyWithKeys(token: string, pems: readonly string[], allowedAlgs: readonly string[] = SUPPORTED_ALGS): Record<string, unknown> {
  const jws = parseJws(token, allowedAlgs);
  const keys = pems.map(publicKeyOf).filter((k): k is KeyObject => k !== undefined);
  if (!keys.some((k) => verifyOne(jws, k))) throw new Error('no known key successfully validated the token signature');
  return jws.claims;
}
