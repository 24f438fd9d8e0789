import { VaultError, vaultErrors } from '@vault-raft-backup/common';
import { type NodeContext, readSealStatus, type SealStatus } from './vault-node';

/**
 * Sends unseal keys one by one until the node reports `sealed:false`; first resets any
 * half-finished unseal progress (stale progress from another key set confuses Vault).
 * @throws VaultError VAULT_UNSEAL_FAILED when a key is rejected or the keys do not reach the threshold.
 */
export async function unsealWith(ctx: NodeContext, keys: readonly string[], whose: string): Promise<SealStatus> {
  const addr = ctx.client.addr;
  let status = await readSealStatus(ctx);
  if (!status.sealed) return status;
  await ctx.client.request('PUT', 'sys/unseal', { json: { reset: true }, signal: ctx.signal });
  for (const [i, key] of keys.entries()) {
    const res = await ctx.client.request<SealStatus>('PUT', 'sys/unseal', { json: { key }, signal: ctx.signal, allowStatus: [400] });
    if (res.status === 400) {
      const detail = vaultErrors(res.body).join('; ') || 'no error message';
      throw new VaultError('VAULT_UNSEAL_FAILED', `unseal key ${i + 1} of ${keys.length} (${whose}) rejected by ${addr} (400 ${detail}): wrong keys for this snapshot's cluster? Give the source cluster's unseal keys`, { path: 'sys/unseal', status: 400 });
    }
    status = res.body;
    if (!status.sealed) {
      ctx.log.info('node unsealed', { vaultAddr: addr, keysUsed: i + 1, whose });
      return status;
    }
  }
  throw new VaultError('VAULT_UNSEAL_FAILED', `${keys.length} keys given (${whose}), threshold ${status.t} not reached: ${addr} is still sealed (progress ${status.progress}/${status.t}); give at least ${status.t} of the source cluster's keys`, { path: 'sys/unseal' });
}
