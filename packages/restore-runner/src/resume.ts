import { sleep, VaultError } from '@vault-raft-backup/common';
import type { JournalFile } from './journal';
import { openTemporary } from './temporary';
import { attempt, type NodeContext, readHealth } from './vault-node';

/** Vault starts applying right after its 204; a check this long after a restart sees the apply if there is one. */
const SETTLE_MS = 2000;

async function temporaryTokenStatus(ctx: NodeContext, token: string): Promise<number | 'busy'> {
  const got = await attempt(() => ctx.client.request('GET', 'auth/token/lookup-self', { token, signal: ctx.signal, allowStatus: [400, 401, 403, 503] }));
  // no answer in time: the call waits behind the state lock, which a restore holds while it applies
  return 'value' in got ? got.value.status : 'busy';
}

/**
 * A runner restarted while its snapshot-force was on its way must not restore twice: did Vault accept the
 * upload? A Shamir node that the temporary keys no longer open, a temporary token that is rejected, or a
 * state lock that is held all mean the restore applied or is applying; a working temporary token (checked
 * twice, `SETTLE_MS` apart, so a 204 that was just sent is seen) means Vault never took it.
 * @throws VaultError from the calls that are not polls.
 */
export async function uploadWasAccepted(ctx: NodeContext, journal: JournalFile): Promise<boolean> {
  const token = journal.state.temporary?.rootToken;
  if (token === undefined) return true;
  const health = await attempt(() => readHealth(ctx));
  if ('value' in health && health.value.sealed) {
    try {
      await openTemporary(ctx, journal);
    } catch (err) {
      if (err instanceof VaultError && err.code === 'VAULT_UNSEAL_FAILED') return true;
      throw err;
    }
  }
  for (let check = 0; check < 2; check++) {
    const status = await temporaryTokenStatus(ctx, token);
    if (status !== 200) return true;
    if (check === 0) await sleep(SETTLE_MS, ctx.signal);
  }
  return false;
}
