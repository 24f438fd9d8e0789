import { type VaultClient, VaultError } from '@vault-raft-backup/common';
import { unsealWith } from './unseal';
import { type NodeContext, readSealStatus, waitForVault } from './vault-node';
import { formatDuration, pollUntil } from './wait';

/**
 * Waits until a node is initialized (a follower joins the restored cluster) and unseals it
 * with the source keys. With `patient`, rejected keys are retried until the deadline: the
 * restore pod may still be running with its temporary keys.
 * @throws VaultError VAULT_TIMEOUT, or VAULT_UNSEAL_FAILED when not patient.
 */
export async function unsealNode(ctx: NodeContext, keys: readonly string[], patient: boolean): Promise<void> {
  await waitForVault(ctx);
  let last = 'not initialized yet';
  await pollUntil(
    async () => {
      const status = await readSealStatus(ctx);
      if (!status.initialized) return undefined;
      if (!status.sealed) return true;
      try {
        await unsealWith(ctx, keys, 'source cluster keys');
        return true;
      } catch (err) {
        if (!patient || !(err instanceof VaultError) || err.code !== 'VAULT_UNSEAL_FAILED') throw err;
        if (last !== err.message) ctx.log.warn('source keys do not unseal this node yet; retrying (the restore pod may still be restoring)', { vaultAddr: ctx.client.addr, error: err.message });
        last = err.message;
        return undefined;
      }
    },
    {
      deadline: Date.now() + ctx.waitMs,
      intervalMs: ctx.pollMs,
      signal: ctx.signal,
      onTimeout: () => new VaultError('VAULT_TIMEOUT', `Vault at ${ctx.client.addr} was not unsealed within ${formatDuration(ctx.waitMs)} (${last}): check that it joined the restored cluster, then unseal it with the source cluster's keys`, { path: 'sys/seal-status' }),
    },
  );
}

/** Unseals every follower address with the source keys, one after another; returns the addresses. @throws VaultError */
export async function unsealPeers(ctx: NodeContext, peers: readonly string[], keys: readonly string[], clientFor: (addr: string) => VaultClient): Promise<string[]> {
  const done: string[] = [];
  for (const addr of peers) {
    ctx.log.info('unsealing follower with the source keys', { peer: addr });
    await unsealNode({ ...ctx, client: clientFor(addr) }, keys, false);
    done.push(addr);
  }
  return done;
}
