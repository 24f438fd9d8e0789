import { readFile } from 'node:fs/promises';
import { ConfigError, registerSecret } from '@vault-raft-backup/common';

/** Why a token file cannot be read, by errno: what is most likely wrong in the pod. */
const CAUSES: Record<string, string> = {
  ENOENT:
    'the pod has no ServiceAccount token there: with automountServiceAccountToken: false (as in the manifests) mount a projected serviceAccountToken volume (audience vault) at that path, or set VAULT_JWT_FILE to where yours is mounted',
  EACCES: "the container's user may not read it: give the projected volume a defaultMode such as 0440 and the pod an fsGroup",
  EISDIR: 'that is a folder: name the token file inside it (e.g. <mountPath>/token)',
};

/** A compact JWS: three base64url parts separated by dots. */
const JWS = /^[\w-]+\.[\w-]+\.[\w-]+$/;

/**
 * Reads the ServiceAccount token (a JWT) from its file, at login time: the kubelet replaces a
 * projected token before it expires, so a copy read earlier may be stale. The value is registered
 * as a secret before anything could log it; no message ever quotes it.
 * @throws ConfigError (exit 2) naming the path and the likely cause when the file is missing, unreadable, empty or not a JWT
 */
export async function readServiceAccountToken(path: string): Promise<string> {
  let text: string;
  try {
    text = (await readFile(path, 'utf8')).trim();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new ConfigError([`VAULT_JWT_FILE: cannot read ${path} (${code})${CAUSES[code] ? `: ${CAUSES[code]}` : ''}`]);
  }
  registerSecret(text);
  if (text === '') throw new ConfigError([`VAULT_JWT_FILE: file ${path} is empty: the kubelet has not written the projected token yet, or the file is not a ServiceAccount token`]);
  if (!JWS.test(text)) throw new ConfigError([`VAULT_JWT_FILE: file ${path} does not hold a JWT (three base64url parts separated by dots): point it at the ServiceAccount token file`]);
  return text;
}

/** What a token says about itself, for log lines and messages (read without verifying: Vault verifies). */
export interface TokenFacts {
  namespace?: string;
  serviceAccount?: string;
  subject?: string;
  audiences: string[];
  issuer?: string;
  /** ISO time of `exp`. */
  expiresAt?: string;
}

const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

/** The non-secret claims of a JWT (the signature is what makes it a credential); empty facts for an unreadable payload. */
export function tokenFacts(jwt: string): TokenFacts {
  let claims: Record<string, unknown> = {};
  try {
    claims = JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    return { audiences: [] };
  }
  const k8s = (claims['kubernetes.io'] ?? {}) as { namespace?: unknown; serviceaccount?: { name?: unknown } };
  const aud = claims.aud;
  return {
    namespace: str(k8s.namespace),
    serviceAccount: str(k8s.serviceaccount?.name),
    subject: str(claims.sub),
    audiences: Array.isArray(aud) ? aud.map(String) : typeof aud === 'string' ? [aud] : [],
    issuer: str(claims.iss),
    expiresAt: typeof claims.exp === 'number' ? new Date(claims.exp * 1000).toISOString() : undefined,
  };
}
