import { decideRestorePod, type Logger, type VaultClient } from '@vault-raft-backup/common';
import { outputPaths, type RestoreConfig } from './config';
import { unsealNode } from './followers';
import { readMarker } from './report';
import { restoreSnapshot } from './restore-flow';
import { isAutoUnseal, type NodeContext, type SealStatus, waitForVault } from './vault-node';
import { formatDuration } from './wait';

/** What main.ts hands to the runner. */
export interface RunnerDeps {
  config: RestoreConfig;
  /** Parsed source unseal keys (already registered as secrets). */
  sourceKeys: string[] | undefined;
  client: VaultClient;
  clientFor: (addr: string) => VaultClient;
  hostname: string;
  log: Logger;
  signal: AbortSignal;
  /** Interval between status polls. */
  pollMs: number;
  /** Idles until SIGTERM; a stop while idle ends with exit 0 (runMain's idleUntilSignal). */
  idle: () => Promise<void>;
}

/** A pod that is not the restore pod never restores; with the source keys it unseals its own node once that joined. */
async function follow(ctx: NodeContext, status: SealStatus, deps: RunnerDeps, reason: string): Promise<void> {
  ctx.log.info('not the restore pod: not restoring', { reason });
  if (!deps.sourceKeys || isAutoUnseal(status.type)) {
    ctx.log.info('nothing to unseal here: the restore pod unseals followers listed in its RESTORE_PEER_ADDRS, or unseal by hand', { sealType: status.type });
    return;
  }
  ctx.log.info('waiting for this node to join the restored cluster, to unseal it with the source keys', { waitTimeout: formatDuration(ctx.waitMs) });
  await unsealNode(ctx, deps.sourceKeys, true);
  ctx.log.info('this node is unsealed');
}

/** Already initialized: a pod restart must never overwrite live data. */
async function declineInitialized(ctx: NodeContext, status: SealStatus, deps: RunnerDeps): Promise<void> {
  const { marker } = outputPaths(deps.config);
  const restoredSha = await readMarker(marker);
  if (restoredSha !== undefined) {
    ctx.log.info('already restored: Vault is initialized and the marker exists; not restoring again', { marker, sha256: restoredSha || undefined, sealed: status.sealed });
    return;
  }
  ctx.log.warn('Vault already initialized: not restoring (set RESTORE_FORCE_OVER_INITIALIZED=true to restore over live data)', { vaultAddr: ctx.client.addr, sealed: status.sealed });
}

/**
 * The runner's state machine: wait for Vault -> pod guard -> initialized check -> restore
 * (see restore-flow.ts) -> idle until SIGTERM, or return when RESTORE_EXIT_WHEN_DONE.
 * @throws AppError subclasses for every failure (runMain turns them into exit 1).
 */
export async function runRestore(deps: RunnerDeps): Promise<void> {
  const { config, log } = deps;
  const ctx: NodeContext = { client: deps.client, log, signal: deps.signal, waitMs: config.RESTORE_WAIT_TIMEOUT, pollMs: deps.pollMs };
  const pod = decideRestorePod(config.RESTORE_POD, deps.hostname);
  log.info('restore-runner starting', {
    vaultAddr: deps.client.addr,
    snapshotFile: config.SNAPSHOT_FILE,
    hostname: deps.hostname,
    restorePod: pod.restorePod,
    peers: config.RESTORE_PEER_ADDRS,
    sourceKeys: deps.sourceKeys ? deps.sourceKeys.length : 0,
    // Field names avoid the log deny-list words (token, unseal), which would hide these harmless values.
    checkAfterRestore: config.RESTORE_VERIFY_TOKEN !== undefined ? 'source lookup-self' : 'health',
    forceOverInitialized: config.RESTORE_FORCE_OVER_INITIALIZED,
    waitTimeout: formatDuration(config.RESTORE_WAIT_TIMEOUT),
  });
  const status = await waitForVault(ctx);
  log.info('Vault answers', { sealType: status.type, initialized: status.initialized, sealed: status.sealed, version: status.version });
  if (!pod.restore) await follow(ctx, status, deps, pod.reason);
  else if (status.initialized && !config.RESTORE_FORCE_OVER_INITIALIZED) await declineInitialized(ctx, status, deps);
  else {
    if (status.initialized) log.warn('RESTORE_FORCE_OVER_INITIALIZED=true: restoring over an initialized Vault; its live data will be replaced');
    const report = await restoreSnapshot(ctx, status, { config, sourceKeys: deps.sourceKeys, clientFor: deps.clientFor, hostname: deps.hostname, restorePod: pod.restorePod });
    log.info('restore complete', { durationMs: report.durationMs, index: report.snapshot.index, term: report.snapshot.term, openedBy: report.unsealedBy, peersOpened: report.unsealedPeers, report: outputPaths(config).report });
  }
  if (config.RESTORE_EXIT_WHEN_DONE) return;
  log.info('done; idling until SIGTERM');
  await deps.idle();
}
