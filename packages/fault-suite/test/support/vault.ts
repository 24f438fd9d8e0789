import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, startVaultDouble, type VaultDouble, type VaultDoubleOptions } from '@vault-raft-backup/testkit';
import { keepSecret } from './ledger';

/** The policy the project ships for the backup AppRole (manifests/vault/snapshot-policy.hcl). */
export function shippedSnapshotPolicy(): string {
  return readFileSync(join(repoRoot(), 'manifests', 'vault', 'snapshot-policy.hcl'), 'utf8');
}

/** A Vault double with the shipped snapshot policy written; its root token and keys are recorded as secrets. */
export async function backupVault(options: VaultDoubleOptions = {}): Promise<VaultDouble> {
  const d = await startVaultDouble(options);
  if (d.rootToken) keepSecret('root token', d.rootToken);
  for (const k of d.unsealKeys) keepSecret('unseal key', k);
  if (options.initialized !== false) d.writePolicy('snapshot', shippedSnapshotPolicy());
  return d;
}

/** A token from `auth/token/create` (root-made), recorded as a secret. */
export async function tokenFor(d: VaultDouble, o: { policies?: string[]; ttl?: string } = {}): Promise<string> {
  const res = await fetch(`${d.url}/v1/auth/token/create`, {
    method: 'POST',
    headers: { 'x-vault-token': d.rootToken },
    body: JSON.stringify({ policies: o.policies ?? ['snapshot'], ...(o.ttl ? { ttl: o.ttl } : {}) }),
  });
  if (res.status !== 200) throw new Error(`token create answered ${res.status}`);
  const token = ((await res.json()) as { auth: { client_token: string } }).auth.client_token;
  keepSecret('vault token', token);
  return token;
}

/** An AppRole with the snapshot policy; role and secret ID recorded as secrets. */
export function backupRole(d: VaultDouble, name = 'backup'): { roleId: string; secretId: string } {
  const role = d.createAppRole(name, { token_policies: ['snapshot'], token_ttl: '10m' });
  keepSecret('role ID', role.roleId);
  keepSecret('secret ID', role.secretId);
  return role;
}

/** Status of `auth/token/lookup-self` for a token (200 valid, 403 revoked or expired). */
export async function lookupStatus(d: VaultDouble, token: string): Promise<number> {
  return (await fetch(`${d.url}/v1/auth/token/lookup-self`, { headers: { 'x-vault-token': token } })).status;
}

/** Bytes of one snapshot as the double serves it now (for picking cut offsets). */
export async function snapshotSize(d: VaultDouble, token: string): Promise<number> {
  const res = await fetch(`${d.url}/v1/sys/storage/raft/snapshot`, { headers: { 'x-vault-token': token } });
  return (await res.arrayBuffer()).byteLength;
}
