import { startVaultDouble } from '../vault-double/index';
import { findVaultBinary, startRealVault } from '../real-vault/index';

/** A Vault the round trip talks to over HTTP only, so the same steps run against the double and a real binary. */
export interface VaultTarget {
  kind: 'vault test double' | 'real vault binary';
  url: string;
  rootToken: string;
  unsealKeys: string[];
  api(method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; body: unknown }>;
  close(): Promise<void>;
}

async function httpCall(url: string, method: string, path: string, body: unknown, token: string | undefined) {
  const res = await fetch(`${url}/v1/${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { 'x-vault-token': token } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as unknown) : undefined };
}

/** Starts a source (initialized) or target (fresh) Vault: the real binary when one is found, else the double. */
export async function startVaultTarget(role: 'source' | 'target', preferReal = findVaultBinary() !== undefined): Promise<VaultTarget> {
  if (preferReal) {
    const real = await startRealVault({ initialize: role === 'source' });
    return { kind: 'real vault binary', ...real };
  }
  const double = await startVaultDouble({ initialized: role === 'source', secretShares: 3, secretThreshold: 2 });
  const rootToken = role === 'source' ? double.rootToken : '';
  return {
    kind: 'vault test double',
    url: double.url,
    rootToken,
    unsealKeys: role === 'source' ? double.unsealKeys : [],
    api: (m, p, b, t) => httpCall(double.url, m, p, b, t ?? rootToken),
    close: () => double.close(),
  };
}
