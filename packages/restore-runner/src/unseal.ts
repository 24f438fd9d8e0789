import { VaultError, vaultErrors } from '@vault-raft-backup/common';
import { type NodeContext, readSealStatus, type SealStatus } from './vault-node';

/** How the keys are labelled in messages, and what the node's threshold means. */
export interface UnsealOptions {
  whose: string;
  /** The source cluster's threshold, when known: explains a node that still uses another one. */
  sourceThreshold?: number | undefined;
}

function tooFew(addr: string, given: number, status: SealStatus, o: UnsealOptions): VaultError {
  const cached = o.sourceThreshold !== undefined && o.sourceThreshold !== status.t;
  const why = cached
    ? ` (Vault still uses the temporary init's threshold ${status.t}, not the source's ${o.sourceThreshold}, until its process restarts: restart the vault container, then unseal with ${o.sourceThreshold} source keys)`
    : '';
  return new VaultError('VAULT_UNSEAL_FAILED', `${given} keys given (${o.whose}), but ${addr} needs ${status.t} to unseal${why}`, { path: 'sys/unseal' });
}

/**
 * Unseals a node with exactly as many keys as its threshold (seal-status `t`): first clears any half-finished
 * progress (`{"reset": true}`), then sends keys one by one. Vault answers a wrong combination with 400 or 500
 * (vault/http/sys_seal.go: errors other than invalid-key are 500), and then forgets the keys given.
 * @throws VaultError VAULT_UNSEAL_FAILED when the keys are too few or rejected.
 */
export async function unsealWith(ctx: NodeContext, keys: readonly string[], o: UnsealOptions): Promise<SealStatus> {
  const addr = ctx.client.addr;
  let status = await readSealStatus(ctx);
  if (!status.sealed) return status;
  if (keys.length < status.t) throw tooFew(addr, keys.length, status, o);
  if (status.progress > 0) await ctx.client.request('PUT', 'sys/unseal', { json: { reset: true }, signal: ctx.signal });
  for (const [i, key] of keys.slice(0, Math.max(status.t, 1)).entries()) {
    const res = await ctx.client.request<SealStatus>('PUT', 'sys/unseal', { json: { key }, signal: ctx.signal, allowStatus: [400, 500] });
    if (res.status === 400 || res.status === 500) {
      const detail = vaultErrors(res.body).join('; ') || 'no error message';
      throw new VaultError('VAULT_UNSEAL_FAILED', `unseal with ${i + 1} of the ${o.whose} rejected by ${addr} (${res.status} ${detail}): wrong keys for this snapshot's cluster? Give the source cluster's unseal keys`, { path: 'sys/unseal', status: res.status });
    }
    status = res.body;
    if (!status.sealed) {
      ctx.log.info('node unsealed', { vaultAddr: addr, keysUsed: i + 1, whose: o.whose });
      return status;
    }
  }
  throw new VaultError('VAULT_UNSEAL_FAILED', `${addr} is still sealed after ${status.t} of the ${o.whose} (progress ${status.progress}/${status.t})`, { path: 'sys/unseal' });
}
