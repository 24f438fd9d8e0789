import { AppError, type SourceVault, VaultError } from '@vault-raft-backup/common';
import type { RestoreReport } from './report';
import { unsealWith } from './unseal';
import { attempt, isAutoUnseal, type NodeContext, readSealStatus, waitActive } from './vault-node';
import { pollUntil } from './wait';

const REMIND_EVERY_MS = 60_000;

/** The line an operator must act on when no source keys were given. */
export function operatorMessage(threshold: number | undefined): string {
  const how = threshold ? `unseal it with ${threshold} of them (vault operator unseal, ${threshold} times)` : 'unseal it with them (vault operator unseal)';
  return `restored; Vault is sealed with the SOURCE cluster's keys: ${how} — or give VAULT_UNSEAL_KEYS_FILE`;
}

/** Without the source keys a restored Shamir node stays sealed: say what to do, then wait for the operator. */
async function awaitOperatorUnseal(ctx: NodeContext): Promise<void> {
  const first = await attempt(() => readSealStatus(ctx));
  const message = operatorMessage('value' in first ? first.value.t : undefined);
  ctx.log.error(message, { vaultAddr: ctx.client.addr, code: 'VAULT_SEALED' });
  let remindAt = Date.now() + REMIND_EVERY_MS;
  await pollUntil(
    async () => {
      const got = await attempt(() => readSealStatus(ctx));
      if ('value' in got && !got.value.sealed) return true;
      if (Date.now() >= remindAt) {
        ctx.log.error(message, { vaultAddr: ctx.client.addr, code: 'VAULT_SEALED' });
        remindAt = Date.now() + REMIND_EVERY_MS;
      }
      return undefined;
    },
    { deadline: Number.POSITIVE_INFINITY, intervalMs: Math.max(ctx.pollMs, 2000), signal: ctx.signal, onTimeout: () => new AppError('RESTORE_FAILED', 'unreachable') },
  );
  ctx.log.info('Vault was unsealed by the operator', { vaultAddr: ctx.client.addr });
}

/** After the restore applied: who unseals the node (the KMS, the source keys, or the operator). @throws VaultError */
export async function unsealRestored(ctx: NodeContext, sealType: string, sourceKeys: string[] | undefined, source: SourceVault | undefined): Promise<RestoreReport['unsealedBy']> {
  if (isAutoUnseal(sealType)) return 'auto-unseal';
  if (sourceKeys) {
    await unsealWith(ctx, sourceKeys, { whose: 'source cluster keys', sourceThreshold: source?.threshold });
    return 'source-keys';
  }
  await awaitOperatorUnseal(ctx);
  return 'operator';
}

/** health 200 (active, unsealed) and the temporary token gone: the snapshot's data replaced the fresh cluster's. @throws VaultError */
export async function verifyActive(ctx: NodeContext, tokenBefore: string | undefined): Promise<void> {
  await waitActive(ctx);
  if (tokenBefore === undefined) return;
  const res = await ctx.client.request('GET', 'auth/token/lookup-self', { token: tokenBefore, signal: ctx.signal, allowStatus: [400, 401, 403] });
  if (res.status === 200) throw new VaultError('RESTORE_FAILED', `the temporary root token still works on ${ctx.client.addr} after the restore: the snapshot's data did not replace the fresh cluster's`, { path: 'auth/token/lookup-self', status: 200 });
}

/** The source cluster's token works on the restored Vault. @throws VaultError RESTORE_FAILED */
export async function verifySourceToken(ctx: NodeContext, sourceToken: string): Promise<void> {
  const res = await ctx.client.request('GET', 'auth/token/lookup-self', { token: sourceToken, signal: ctx.signal, allowStatus: [400, 401, 403] });
  if (res.status !== 200) throw new VaultError('RESTORE_FAILED', `the source cluster's token from RESTORE_VERIFY_TOKEN_FILE is rejected (${res.status}) by the restored Vault at ${ctx.client.addr}: is the snapshot from that cluster?`, { path: 'auth/token/lookup-self', status: res.status });
}
