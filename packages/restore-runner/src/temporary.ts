import { AppError, VaultError } from '@vault-raft-backup/common';
import type { JournalFile } from './journal';
import type { InitShape } from './preflight';
import { unsealWith } from './unseal';
import { attempt, initVault, isAutoUnseal, type NodeContext, readHealth, readSealStatus } from './vault-node';
import { pollUntil } from './wait';

/** Auto-unseal: after init the node unseals itself with its KMS key; wait for that. @throws VaultError VAULT_SEALED */
async function awaitAutoUnsealed(ctx: NodeContext, sealType: string): Promise<void> {
  await pollUntil(
    async () => {
      const got = await attempt(() => readHealth(ctx));
      return 'value' in got && got.value.sealed === false ? true : undefined;
    },
    {
      deadline: Date.now() + ctx.waitMs,
      intervalMs: ctx.pollMs,
      signal: ctx.signal,
      onTimeout: () => new VaultError('VAULT_SEALED', `Vault at ${ctx.client.addr} stayed sealed after init: its ${sealType} KMS key is not reachable from here: check the seal config/credentials`, { path: 'sys/health', status: 503 }),
    },
  );
}

/**
 * Initializes the fresh node with temporary keys, recording each step in the journal first (so a restart can
 * tell an init it started from one it did not), then opens it: Shamir with the temporary keys, auto-unseal
 * by waiting for the KMS. Returns the temporary root token.
 * @throws VaultError, AppError
 */
export async function initTemporary(ctx: NodeContext, journal: JournalFile, shape: InitShape): Promise<string> {
  const { sealType } = journal.state;
  ctx.log.info('initializing Vault with temporary keys (recorded in the restore journal until the restore applied)', { sealType, shares: shape.shares, threshold: shape.threshold, why: shape.reason });
  await journal.advance('init-sent', { init: { shares: shape.shares, threshold: shape.threshold } });
  const init = await initVault(ctx, sealType, shape.shares, shape.threshold);
  await journal.advance('initialized', { temporary: { rootToken: init.rootToken, unsealKeys: init.unsealKeys } });
  await openTemporary(ctx, journal);
  return init.rootToken;
}

/**
 * Opens a node this runner initialized (also after a restart of Vault or of the runner): Shamir with the
 * recorded temporary keys, auto-unseal by waiting for the KMS.
 * @throws VaultError VAULT_UNSEAL_FAILED when the recorded keys do not open it (then it is not ours).
 */
export async function openTemporary(ctx: NodeContext, journal: JournalFile): Promise<void> {
  const { sealType, temporary } = journal.state;
  if (isAutoUnseal(sealType)) return awaitAutoUnsealed(ctx, sealType);
  if (!temporary) throw new AppError('RESTORE_FAILED', 'the restore journal holds no temporary keys for this step');
  if (!(await readSealStatus(ctx)).sealed) return;
  await unsealWith(ctx, temporary.unsealKeys, { whose: 'temporary init keys' });
}

/** A run that died after sending PUT sys/init without recording the answer cannot know the keys. */
export function lostInit(addr: string): AppError {
  return new AppError(
    'RESTORE_FAILED',
    `an earlier run of restore-runner initialized Vault at ${addr} but stopped before it recorded the temporary keys, so nobody knows them: delete this Vault's data (its PVC; it holds only the empty init) and start the restore again`,
  );
}
