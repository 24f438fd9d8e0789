import { VaultError } from '@vault-raft-backup/common';
import { type NodeContext, readSealStatus } from './vault-node';
import { formatDuration, pollUntil } from './wait';

/** What the runner knows that tells an applied restore from one still pending. */
export interface AppliedProbe {
  sealType: string;
  /** The token that was valid before the restore (temporary root token): it stops working once applied. */
  tokenBefore: string;
  /** A source cluster token: it starts working once applied. */
  sourceToken?: string | undefined;
}

/** How a token fares against `auth/token/lookup-self`: 200, 403, 503 sealed, ... */
async function lookupStatus(ctx: NodeContext, token: string): Promise<number> {
  const res = await ctx.client.request('GET', 'auth/token/lookup-self', { token, signal: ctx.signal, allowStatus: [400, 401, 403, 500, 503] });
  return res.status;
}

/** Shamir: a restore into another cluster's keyring seals the node; that is the sign it applied. */
async function awaitShamirSealed(ctx: NodeContext): Promise<void> {
  await pollUntil(async () => ((await readSealStatus(ctx)).sealed ? true : undefined), {
    deadline: Date.now() + ctx.waitMs,
    intervalMs: ctx.pollMs,
    signal: ctx.signal,
    onTimeout: () =>
      new VaultError('RESTORE_FAILED', `Vault at ${ctx.client.addr} accepted the snapshot but did not seal itself within ${formatDuration(ctx.waitMs)}, as a Shamir node does once a restore applies: check the vault container's log`, { path: 'sys/seal-status' }),
  });
}

/** Auto-unseal: the node re-reads its keys from the restored data and unseals itself, if it can reach the KMS key. */
async function awaitAutoUnsealed(ctx: NodeContext, probe: AppliedProbe): Promise<void> {
  let sealed = false;
  await pollUntil(
    async () => {
      sealed = (await readSealStatus(ctx)).sealed;
      if (sealed) return undefined;
      if (probe.sourceToken && (await lookupStatus(ctx, probe.sourceToken)) === 200) return true;
      const before = await lookupStatus(ctx, probe.tokenBefore);
      return before === 403 || before === 400 || before === 401 ? true : undefined;
    },
    {
      deadline: Date.now() + ctx.waitMs,
      intervalMs: ctx.pollMs,
      signal: ctx.signal,
      onTimeout: () =>
        sealed
          ? new VaultError('VAULT_SEALED', `Vault at ${ctx.client.addr} is still sealed ${formatDuration(ctx.waitMs)} after the restore: the restored cluster's KMS key is not reachable from here: check the seal config/credentials (the snapshot's ${probe.sealType} key must be the one this Vault uses)`, { path: 'sys/seal-status', status: 503 })
          : new VaultError('RESTORE_FAILED', `Vault at ${ctx.client.addr} accepted the snapshot but it did not apply within ${formatDuration(ctx.waitMs)} (the temporary token still works): check the vault container's log`, { path: 'auth/token/lookup-self' }),
    },
  );
}

/**
 * Waits until a restore accepted with 204 has really applied: Shamir nodes seal themselves,
 * auto-unseal nodes replace their tokens and unseal again.
 * @throws VaultError RESTORE_FAILED (never applied) or VAULT_SEALED (auto-unseal KMS unreachable) at the deadline.
 */
export async function awaitApplied(ctx: NodeContext, probe: AppliedProbe): Promise<void> {
  if (probe.sealType === 'shamir') await awaitShamirSealed(ctx);
  else await awaitAutoUnsealed(ctx, probe);
}
