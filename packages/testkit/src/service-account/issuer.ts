import { generateKeyPairSync, type KeyObject, randomUUID, sign } from 'node:crypto';

/** Signing algorithms the issuer can use: those a Kubernetes API server signs ServiceAccount tokens with by default. */
export type IssuerAlg = 'RS256' | 'ES256';

/** What a minted ServiceAccount token says; every field has the default a projected token has. */
export interface ServiceAccountTokenOptions {
  namespace: string;
  serviceAccount: string;
  /** `aud`: a projected volume's `audience` (default `vault`); an empty list leaves `aud` out. */
  audience?: string | string[];
  /** Lifetime from `iat` (default 600 s, the shortest `expirationSeconds` Kubernetes allows). */
  expiresInSeconds?: number;
  /** `iat` and `nbf`, epoch seconds (default now). */
  issuedAt?: number;
  /** `iss` (default the in-cluster API server's issuer). */
  issuer?: string;
  /** Claims to drop (e.g. `exp`) or override, after the defaults are set. */
  omit?: string[];
  extra?: Record<string, unknown>;
}

/** A stand-in for a cluster's ServiceAccount token issuer: a key pair made here, and tokens signed with it. */
export interface ServiceAccountIssuer {
  readonly alg: IssuerAlg;
  /** PEM (SPKI) of the public key: what `pem_keys` (Kubernetes auth) or `jwt_validation_pubkeys` (JWT auth) takes. */
  readonly publicKeyPem: string;
  /** Key id in every token's header. */
  readonly kid: string;
  /** Mints a ServiceAccount token with the claims the kubelet's TokenRequest puts in a projected token. */
  mint(options: ServiceAccountTokenOptions): string;
  /** Signs any claims as a JWS with this issuer's key (for malformed or unusual tokens). */
  signClaims(claims: Record<string, unknown>, header?: Record<string, unknown>): string;
}

const b64url = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

function signer(alg: IssuerAlg, key: KeyObject): (data: Buffer) => Buffer {
  // JWS ES256 signatures are r || s (RFC 7518 §3.4), not DER
  return alg === 'ES256' ? (data) => sign('sha256', data, { key, dsaEncoding: 'ieee-p1363' }) : (data) => sign('sha256', data, key);
}

/**
 * The claims of a projected ServiceAccount token (Kubernetes `pkg/serviceaccount/claims.go`
 * `Claims`): `sub: system:serviceaccount:<ns>:<name>`, `kubernetes.io.namespace`,
 * `kubernetes.io.serviceaccount.{name,uid}`, `kubernetes.io.pod.{name,uid}`, `aud`, `iat`, `nbf`,
 * `exp`, `iss`, `jti`.
 */
export function serviceAccountClaims(options: ServiceAccountTokenOptions): Record<string, unknown> {
  const iat = options.issuedAt ?? Math.floor(Date.now() / 1000);
  const audience = options.audience ?? 'vault';
  const aud = Array.isArray(audience) ? audience : [audience];
  const claims: Record<string, unknown> = {
    ...(aud.length > 0 ? { aud } : {}),
    exp: iat + (options.expiresInSeconds ?? 600),
    iat,
    iss: options.issuer ?? 'https://kubernetes.default.svc.cluster.local',
    jti: randomUUID(),
    'kubernetes.io': {
      namespace: options.namespace,
      pod: { name: `${options.serviceAccount}-pod`, uid: randomUUID() },
      serviceaccount: { name: options.serviceAccount, uid: randomUUID() },
    },
    nbf: iat,
    sub: `system:serviceaccount:${options.namespace}:${options.serviceAccount}`,
  };
  for (const name of options.omit ?? []) delete claims[name];
  return { ...claims, ...options.extra };
}

/** Makes a fresh issuer with its own key pair (RSA 2048 for RS256, P-256 for ES256). */
export function createServiceAccountIssuer(alg: IssuerAlg = 'RS256'): ServiceAccountIssuer {
  const { publicKey, privateKey } = alg === 'ES256' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : generateKeyPairSync('rsa', { modulusLength: 2048 });
  const signWith = signer(alg, privateKey);
  const kid = randomUUID();
  const signClaims = (claims: Record<string, unknown>, header: Record<string, unknown> = {}) => {
    const input = `${b64url({ alg, kid, ...header })}.${b64url(claims)}`;
    return `${input}.${signWith(Buffer.from(input)).toString('base64url')}`;
  };
  return {
    alg,
    kid,
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    mint: (options) => signClaims(serviceAccountClaims(options)),
    signClaims,
  };
}
