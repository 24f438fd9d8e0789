import { VaultError } from '@vault-raft-backup/common';
import { attempt, type Health, isAutoUnseal, type NodeContext, readHealth } from './vault-node';
import { everyMs, formatDuration, pollUntil } from './wait';

/** What the runner knows that tells an applied restore from one still pending. */
export interface AppliedProbe {
  sealType: string;
  /** The source cluster's id from the snapshot's sidecar: health reports it once the restored data is in place. */
  sourceClusterId?: string | undefined;
  /** The temporary root token: it stops working once the restore applied. */
  tokenBefore?: string | undefined;
  /** Restoring over a live cluster (RESTORE_FORCE_OVER_INITIALIZED): its token, which may well keep working. */
  liveToken?: string | undefined;
  /** When Vault answered 204. */
  acceptedAt: number;
}

/** Vault starts the apply right after its 204 (a goroutine that takes the state lock): a call made later than this waits behind it. */
const LOCK_GRACE_MS = 1000;

const PROGRESS_EVERY_MS = 15_000;

/** Auto-unseal without the source's cluster id: the temporary token is rejected once applied (this call waits on the state lock). */
async function temporaryTokenGone(ctx: NodeContext, token: string): Promise<boolean | undefined> {
  const got = await attempt(() => ctx.client.request('GET', 'auth/token/lookup-self', { token, signal: ctx.signal, allowStatus: [400, 401, 403, 503] }));
  if ('failed' in got) return undefined;
  return got.value.status === 403 || got.value.status === 400 || got.value.status === 401 ? true : undefined;
}

/** Over a live cluster the data may be its own (same keyring, same id): the apply is over once a call that queued behind the state lock is answered. */
async function lockPassed(ctx: NodeContext, probe: AppliedProbe, token: string): Promise<boolean> {
  if (Date.now() < probe.acceptedAt + LOCK_GRACE_MS) return false;
  const got = await attempt(() => ctx.client.request('GET', 'auth/token/lookup-self', { token, signal: ctx.signal, allowStatus: [400, 401, 403, 503] }));
  return 'value' in got;
}

async function appliedNow(ctx: NodeContext, probe: AppliedProbe, health: Health): Promise<boolean> {
  if (probe.liveToken !== undefined) return health.sealed === true || (await lockPassed(ctx, probe, probe.liveToken));
  // Shamir: the snapshot's keyring cannot be opened with the temporary keys, so the node seals itself once
  // the data is in place (vault/raft.go raftSnapshotRestoreCallback -> performKeyUpgrades fails -> seal).
  if (!isAutoUnseal(probe.sealType)) return health.sealed === true;
  if (health.sealed !== false) return false;
  // Auto-unseal: the node reloads the stored keys with its KMS and is active again, now with the source's data.
  if (probe.sourceClusterId) return health.cluster_id === probe.sourceClusterId;
  return probe.tokenBefore !== undefined && (await temporaryTokenGone(ctx, probe.tokenBefore)) === true;
}

/**
 * Waits until a restore accepted with 204 has applied. Vault holds its state lock for the whole apply
 * (vault/logical_system_raft.go handleStorageRaftSnapshotWrite), so every call but `sys/health` waits behind
 * it: this polls health, rides out timeouts and slow answers until RESTORE_WAIT_TIMEOUT, and logs progress
 * every 15 s.
 * @throws VaultError RESTORE_FAILED (never applied) or VAULT_SEALED (auto-unseal: the KMS key is not reachable) at the deadline.
 */
export async function awaitApplied(ctx: NodeContext, probe: AppliedProbe): Promise<void> {
  const started = Date.now();
  const report = everyMs(PROGRESS_EVERY_MS);
  let last = 'no answer yet';
  let sealed = false;
  await pollUntil(
    async () => {
      const got = await attempt(() => readHealth(ctx));
      if ('failed' in got) last = got.failed;
      else {
        sealed = got.value.sealed === true;
        last = `sys/health answers ${got.value.status}`;
        if (await appliedNow(ctx, probe, got.value)) return true;
      }
      if (report()) ctx.log.info('waiting for the restore to apply (Vault holds its state lock meanwhile; other calls wait)', { vaultAddr: ctx.client.addr, elapsedSeconds: Math.round((Date.now() - started) / 1000), last });
      return undefined;
    },
    {
      deadline: started + ctx.waitMs,
      intervalMs: ctx.pollMs,
      signal: ctx.signal,
      onTimeout: () =>
        sealed && isAutoUnseal(probe.sealType)
          ? new VaultError('VAULT_SEALED', `Vault at ${ctx.client.addr} is still sealed ${formatDuration(ctx.waitMs)} after the restore: the restored cluster's KMS key is not reachable from here: check the seal config/credentials (the snapshot's ${probe.sealType} key must be the one this Vault uses)`, { path: 'sys/health', status: 503 })
          : new VaultError('RESTORE_FAILED', `Vault at ${ctx.client.addr} accepted the snapshot but it did not apply within ${formatDuration(ctx.waitMs)} (${last}): check the vault container's log, or raise RESTORE_WAIT_TIMEOUT for a large snapshot`, { path: 'sys/health' }),
    },
  );
}
