import { runBundle, startVaultDouble, type VaultDouble } from '@vault-raft-backup/testkit';

const POLICY = 'path "sys/storage/raft/snapshot" { capabilities = ["read"] }';

/** Starts Vault doubles with the snapshot policy written, and closes them all at the end. */
export function doubles() {
  const started: VaultDouble[] = [];
  return {
    async start(options: Parameters<typeof startVaultDouble>[0] = {}): Promise<VaultDouble> {
      const d = await startVaultDouble(options);
      started.push(d);
      await d.writePolicy('snapshot', POLICY);
      return d;
    },
    closeAll: () => Promise.all(started.map((d) => d.close())),
  };
}

/** A token with the given policies (default: the snapshot policy). */
export async function tokenFor(d: VaultDouble, policies = ['snapshot']): Promise<string> {
  const res = await fetch(`${d.url}/v1/auth/token/create`, { method: 'POST', headers: { 'x-vault-token': d.rootToken }, body: JSON.stringify({ policies }) });
  const body = (await res.json()) as { auth: { client_token: string } };
  return body.auth.client_token;
}

/** Runs the bundle as the container does, with one retry for Vault calls. */
export function run(env: Record<string, string>, node: 'system' | 'node24' = 'system') {
  return runBundle('snapshot-taker', { env: { VAULT_MAX_RETRIES: '1', ...env }, node });
}
