import { startVaultDouble } from '../vault-double/index';
import { findVaultBinary, startRealVault } from '../real-vault/index';

/** A Vault the round trip talks to over HTTP only, so the same steps run against the double and a real binary. */
export interface VaultTarget {
  kind: 'vault test double' | 'real vault binary';
  url: string;
  /** Every node's address, node 0 (the one that is initialized) first. */
  nodes: string[];
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

/** The source's Shamir seal: a threshold above 1, as in production, so the restore must unseal with the source's threshold. */
export const SOURCE_SHARES = 5;
export const SOURCE_THRESHOLD = 3;
/** The target is the Helm chart's HA raft: three nodes with retry_join, followers in join mode until unsealed. */
export const TARGET_NODES = 3;

/** Starts a source (initialized, Shamir 5/3) or target (fresh, three raft nodes) Vault: the real binary when one is found, else the double. */
export async function startVaultTarget(role: 'source' | 'target', preferReal = findVaultBinary() !== undefined): Promise<VaultTarget> {
  const nodes = role === 'source' ? 1 : TARGET_NODES;
  if (preferReal) {
    const real = await startRealVault({ initialize: role === 'source', shares: SOURCE_SHARES, threshold: SOURCE_THRESHOLD, nodes });
    return { kind: 'real vault binary', ...real };
  }
  const double = await startVaultDouble({ initialized: role === 'source', secretShares: SOURCE_SHARES, secretThreshold: SOURCE_THRESHOLD, nodes });
  const rootToken = role === 'source' ? double.rootToken : '';
  return {
    kind: 'vault test double',
    url: double.url,
    nodes: double.nodes.map((n) => n.url),
    rootToken,
    unsealKeys: role === 'source' ? double.unsealKeys : [],
    api: (m, p, b, t) => httpCall(double.url, m, p, b, t ?? rootToken),
    close: () => double.close(),
  };
}
