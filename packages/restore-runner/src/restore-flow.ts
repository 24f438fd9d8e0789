import { AppError, type Logger, type VaultClient, VaultError } from '@vault-raft-backup/common';
import { awaitApplied } from './await-applied';
import { outputPaths, type RestoreConfig } from './config';
import { unsealPeers } from './followers';
import { type RestoreReport, snapshotSummary, writeOutputs } from './report';
import { checkSnapshotFile } from './snapshot-check';
import { unsealWith } from './unseal';
import { uploadSnapshot } from './upload-snapshot';
import { initVault, isAutoUnseal, type NodeContext, readSealStatus, type SealStatus, waitActive } from './vault-node';
import { formatDuration, pollUntil } from './wait';

/** Everything the restore path needs besides the node context. */
export interface FlowDeps {
  config: RestoreConfig;
  /** The source cluster's unseal keys (Shamir), when given. */
  sourceKeys: string[] | undefined;
  clientFor: (addr: string) => VaultClient;
  hostname: string;
  restorePod: string;
}

const REMIND_EVERY_MS = 60_000;

function stopwatch(timings: Record<string, number>) {
  return async <T>(step: string, fn: () => Promise<T>): Promise<T> => {
    const started = Date.now();
    const out = await fn();
    timings[step] = Date.now() - started;
    return out;
  };
}

/** Initializes with the seal's parameter family and unseals with the temporary keys (Shamir) or waits for auto-unseal. */
async function initTemporary(ctx: NodeContext, status: SealStatus, config: RestoreConfig): Promise<string> {
  ctx.log.info('initializing Vault with temporary keys (kept in memory only)', { sealType: status.type, shares: config.RESTORE_INIT_SHARES, threshold: config.RESTORE_INIT_THRESHOLD });
  const init = await initVault(ctx, status.type, config.RESTORE_INIT_SHARES, config.RESTORE_INIT_THRESHOLD);
  if (!isAutoUnseal(status.type)) {
    await unsealWith(ctx, init.unsealKeys, 'temporary init keys');
    return init.rootToken;
  }
  await pollUntil(async () => ((await readSealStatus(ctx)).sealed ? undefined : true), {
    deadline: Date.now() + ctx.waitMs,
    intervalMs: ctx.pollMs,
    signal: ctx.signal,
    onTimeout: () => new VaultError('VAULT_SEALED', `Vault at ${ctx.client.addr} stayed sealed after init: its ${status.type} KMS key is not reachable from here: check the seal config/credentials`, { path: 'sys/seal-status', status: 503 }),
  });
  return init.rootToken;
}

/** Without the source keys a restored Shamir node stays sealed: say what to do, then wait for the operator. */
async function awaitOperatorUnseal(ctx: NodeContext, log: Logger): Promise<void> {
  const message = "restored; Vault is sealed with the SOURCE cluster's keys: unseal with them (vault operator unseal) — or give VAULT_UNSEAL_KEYS_FILE";
  log.error(message, { vaultAddr: ctx.client.addr, code: 'VAULT_SEALED' });
  let remindAt = Date.now() + REMIND_EVERY_MS;
  await pollUntil(
    async () => {
      if (!(await readSealStatus(ctx)).sealed) return true;
      if (Date.now() >= remindAt) {
        log.error(message, { vaultAddr: ctx.client.addr, code: 'VAULT_SEALED' });
        remindAt = Date.now() + REMIND_EVERY_MS;
      }
      return undefined;
    },
    { deadline: Number.POSITIVE_INFINITY, intervalMs: Math.max(ctx.pollMs, 2000), signal: ctx.signal, onTimeout: () => new AppError('RESTORE_FAILED', 'unreachable') },
  );
  log.info('Vault was unsealed by the operator', { vaultAddr: ctx.client.addr });
}

/** After the restore applied: who unseals the node (source keys, the KMS, or the operator). */
async function unsealRestored(ctx: NodeContext, sealType: string, deps: FlowDeps): Promise<RestoreReport['unsealedBy']> {
  if (isAutoUnseal(sealType)) return 'auto-unseal';
  if (deps.sourceKeys) {
    await unsealWith(ctx, deps.sourceKeys, 'source cluster keys');
    return 'source-keys';
  }
  await awaitOperatorUnseal(ctx, ctx.log);
  return 'operator';
}

/** health 200 (active, unsealed), the temporary token gone, the source token (if given) working. @throws VaultError RESTORE_FAILED */
async function verifyRestored(ctx: NodeContext, tokenBefore: string | undefined, sourceToken: string | undefined): Promise<boolean> {
  await waitActive(ctx);
  if (tokenBefore !== undefined) {
    const res = await ctx.client.request('GET', 'auth/token/lookup-self', { token: tokenBefore, signal: ctx.signal, allowStatus: [400, 401, 403] });
    if (res.status === 200) throw new VaultError('RESTORE_FAILED', `the temporary root token still works on ${ctx.client.addr} after the restore: the snapshot's data did not replace the fresh cluster's`, { path: 'auth/token/lookup-self', status: 200 });
  }
  if (sourceToken === undefined) return false;
  const res = await ctx.client.request('GET', 'auth/token/lookup-self', { token: sourceToken, signal: ctx.signal, allowStatus: [400, 401, 403] });
  if (res.status !== 200) throw new VaultError('RESTORE_FAILED', `the source cluster's token from RESTORE_VERIFY_TOKEN_FILE is rejected (${res.status}) by the restored Vault at ${ctx.client.addr}: is the snapshot from that cluster?`, { path: 'auth/token/lookup-self', status: res.status });
  return true;
}

/**
 * The restore path: verify the file, init (temporary keys), unseal, upload to snapshot-force,
 * wait until applied, unseal with the source keys (self, then peers), verify, write report and marker.
 * @throws SnapshotError, VaultError, AppError: every failure ends the run with exit 1.
 */
export async function restoreSnapshot(ctx: NodeContext, status: SealStatus, deps: FlowDeps): Promise<RestoreReport> {
  const { config } = deps;
  const { log } = ctx;
  const startedAt = new Date();
  const timings: Record<string, number> = {};
  const step = stopwatch(timings);
  const checked = await step('verifySnapshot', () => checkSnapshotFile(config.SNAPSHOT_FILE, ctx.signal));
  log.info('snapshot file verified', { file: config.SNAPSHOT_FILE, sha256: checked.info.sha256, bytes: checked.info.bytes, index: checked.info.index, term: checked.info.term, sidecar: checked.record !== undefined });
  if (status.initialized && status.sealed) throw new VaultError('VAULT_SEALED', `Vault at ${ctx.client.addr} is initialized and sealed: unseal it before restoring over it`, { path: 'sys/seal-status', status: 503 });
  const fresh = !status.initialized;
  const token = fresh ? await step('init', () => initTemporary(ctx, status, config)) : (config.VAULT_TOKEN ?? '');
  await step('waitActive', () => waitActive(ctx));
  log.info('uploading snapshot to snapshot-force', { bytes: checked.info.bytes });
  const upload = await step('upload', () => uploadSnapshot(ctx.client, config.SNAPSHOT_FILE, { token, log, signal: ctx.signal, responseTimeoutMs: ctx.waitMs, socketTimeoutMs: config.VAULT_TIMEOUT }));
  log.info('snapshot accepted by Vault; waiting until it applies', { bytes: upload.bytes, durationMs: upload.durationMs, acceptedBy: upload.acceptedBy, waitTimeout: formatDuration(ctx.waitMs) });
  await step('apply', () => awaitApplied(ctx, { sealType: status.type, tokenBefore: token, sourceToken: config.RESTORE_VERIFY_TOKEN }));
  log.info('restore applied', { sealType: status.type, sealed: (await readSealStatus(ctx)).sealed });
  const unsealedBy = await step('unseal', () => unsealRestored(ctx, status.type, deps));
  const peerKeys = isAutoUnseal(status.type) ? undefined : deps.sourceKeys;
  const unsealedPeers = peerKeys ? await step('unsealPeers', () => unsealPeers(ctx, config.RESTORE_PEER_ADDRS, peerKeys, deps.clientFor)) : [];
  const sourceTokenVerified = await step('verify', () => verifyRestored(ctx, fresh ? token : undefined, config.RESTORE_VERIFY_TOKEN));
  const after = await readSealStatus(ctx);
  const report: RestoreReport = {
    status: 'restored',
    snapshot: snapshotSummary(config.SNAPSHOT_FILE, checked),
    vault: { addr: ctx.client.addr, sealType: status.type, version: after.version, clusterName: after.cluster_name, acceptedBy: upload.acceptedBy },
    pod: { hostname: deps.hostname, restorePod: deps.restorePod },
    unsealedBy,
    unsealedPeers,
    sourceTokenVerified,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    durationMs: Date.now() - startedAt.getTime(),
    timingsMs: timings,
  };
  await writeOutputs(outputPaths(config), report);
  return report;
}
