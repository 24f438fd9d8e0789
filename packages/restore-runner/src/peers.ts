import { sleep, type VaultClient, VaultError, vaultErrors } from '@vault-raft-backup/common';
import { attempt, isAutoUnseal, type NodeContext, readHealth, readSealStatus, type SealStatus } from './vault-node';
import { everyMs, formatDuration } from './wait';

/** What unsealing the followers needs from the restored leader. */
export interface PeerPlan {
  sealType: string;
  /** The source keys (Shamir); undefined for auto-unseal. */
  keys: readonly string[] | undefined;
  /** The leader's threshold after its own unseal: followers in join mode unseal with the leader's config. */
  threshold: number;
}

const MAX_BACKOFF_MS = 30_000;

/** An unsealed follower answers health with 429 (standby) or 200; a sealed or joining one with 503. */
async function isUnsealed(ctx: NodeContext): Promise<boolean> {
  const got = await attempt(() => readHealth(ctx));
  return 'value' in got && (got.value.status === 429 || got.value.status === 200 || got.value.status === 473);
}

/**
 * Sends exactly `threshold` keys to a follower in raft join mode. The last one makes Vault wait for the join
 * while it holds the follower's state lock (vault/core.go unsealWithRaft: `<-c.raftJoinDoneCh`), then it answers
 * 200 with `sealed: true` and unseals in the background once the keyring replicated: so that call gets the
 * whole remaining wait as its timeout, and `sealed: true` means "poll", not "too few keys".
 * Returns 'sent' or why it should be tried again.
 */
async function sendKeys(ctx: NodeContext, peer: VaultClient, plan: PeerPlan, status: SealStatus, deadline: number): Promise<'sent' | string> {
  const keys = plan.keys ?? [];
  if (status.progress > 0) await peer.request('PUT', 'sys/unseal', { json: { reset: true }, signal: ctx.signal });
  for (const [i, key] of keys.slice(0, plan.threshold).entries()) {
    const last = i === plan.threshold - 1;
    const client = last ? peer.withTimeout(Math.max(1000, deadline - Date.now())) : peer;
    const got = await attempt(() => client.request<SealStatus>('PUT', 'sys/unseal', { json: { key }, signal: ctx.signal, allowStatus: [400] }));
    if ('failed' in got) return got.failed;
    if (got.value.status === 400) {
      const detail = vaultErrors(got.value.body).join('; ') || 'no error message';
      throw new VaultError('VAULT_UNSEAL_FAILED', `follower ${peer.addr} rejected source key ${i + 1} (400 ${detail})`, { path: 'sys/unseal', status: 400 });
    }
  }
  return 'sent';
}

const JOINING = 'keys accepted; it joins the leader and unseals in the background';

/** One look at a follower: done, or what it is waiting for. After the keys were accepted it is only watched: sending them again would start another join. */
async function step(ctx: NodeContext, peer: VaultClient, plan: PeerPlan, deadline: number, keysAccepted: boolean): Promise<'done' | string> {
  const peerCtx = { ...ctx, client: peer };
  if (await isUnsealed(peerCtx)) return 'done';
  if (isAutoUnseal(plan.sealType)) return 'waiting for it to unseal itself with its KMS key';
  if (keysAccepted) return JOINING;
  const got = await attempt(() => readSealStatus(peerCtx));
  if ('failed' in got) return got.failed;
  const status = got.value;
  if (!status.sealed) return 'done';
  if (!status.initialized) return 'not in raft join mode yet (it has not reached the leader)';
  // A follower re-reads the leader's seal config on each join attempt (every 2 s, vault/raft.go JoinRaftCluster).
  if (status.t !== plan.threshold) return `it still shows threshold ${status.t}, the leader ${plan.threshold}`;
  const sent = await sendKeys(ctx, peer, plan, status, deadline);
  return sent === 'sent' ? JOINING : sent;
}

/**
 * Brings one follower to unsealed: Shamir followers get exactly the leader's threshold of source keys once they
 * show the leader's config; auto-unseal followers are only waited for. Timeouts, 5xx (hashicorp/vault#25360: a
 * 500 while the join is in flight) and connection errors are retried with backoff until the deadline.
 * @throws VaultError VAULT_TIMEOUT at the deadline, VAULT_UNSEAL_FAILED when a key is rejected.
 */
export async function unsealPeer(ctx: NodeContext, peer: VaultClient, plan: PeerPlan): Promise<void> {
  const deadline = Date.now() + ctx.waitMs;
  const report = everyMs(15_000);
  let backoff = ctx.pollMs;
  let last = '';
  for (;;) {
    const result = await step(ctx, peer, plan, deadline, last === JOINING);
    if (result === 'done') {
      ctx.log.info('follower unsealed', { peer: peer.addr });
      return;
    }
    if (result !== last || report()) ctx.log.info('waiting for follower', { peer: peer.addr, state: result });
    const retrying = result !== last;
    last = result;
    if (Date.now() >= deadline) {
      throw new VaultError('VAULT_TIMEOUT', `follower ${peer.addr} was not unsealed within ${formatDuration(ctx.waitMs)} (${last}): check that its pod runs and joined the restored leader, then unseal it by hand`, { path: 'sys/seal-status' });
    }
    backoff = retrying || result === JOINING ? ctx.pollMs : Math.min(MAX_BACKOFF_MS, backoff * 2);
    await sleep(Math.min(backoff, Math.max(0, deadline - Date.now())), ctx.signal);
  }
}

/** Unseals (or waits for) every follower, one after another; returns their addresses. @throws VaultError */
export async function unsealPeers(ctx: NodeContext, peers: readonly string[], plan: PeerPlan, clientFor: (addr: string) => VaultClient): Promise<string[]> {
  const done: string[] = [];
  for (const addr of peers) {
    ctx.log.info(isAutoUnseal(plan.sealType) ? 'waiting for follower to unseal itself' : 'unsealing follower with the source keys', { peer: addr });
    await unsealPeer(ctx, clientFor(addr), plan);
    done.push(addr);
  }
  return done;
}
