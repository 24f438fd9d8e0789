import { AppError, decideRestorePod, describeError, type Logger, readSnapshotRecord, recordPathFor, type VaultClient, writeFileAtomic } from '@vault-raft-backup/common';
import { access } from 'node:fs/promises';
import { outputPaths, type RestoreConfig } from './config';
import { type Journal, readJournal } from './journal';
import { levelsOfFailure, logLevels } from './levels';
import { readMarker, type RestoreReport } from './report';
import { levelPlan, restoreSnapshot } from './restore-flow';
import { type NodeContext, type SealStatus, waitForVault } from './vault-node';
import { formatDuration } from './wait';

/** What main.ts hands to the runner. */
export interface RunnerDeps {
  config: RestoreConfig;
  /** Reads and parses the source unseal keys (registering them as secrets); only a restore calls it. */
  loadKeys: () => Promise<string[] | undefined>;
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

/** The snapshot's sha256 as its sidecar records it, to match a journal against; undefined without a sidecar. */
async function sidecarSha(file: string): Promise<string | undefined> {
  const exists = await access(recordPathFor(file)).then(
    () => true,
    () => false,
  );
  return exists ? (await readSnapshotRecord(file)).sha256 : undefined;
}

/**
 * A journal of a restore this runner started, for this very snapshot: it continues that restore.
 * A journal of another snapshot is ignored (and reported): its restore was never finished.
 */
async function journalToResume(ctx: NodeContext, config: RestoreConfig): Promise<Journal | undefined> {
  const { state } = outputPaths(config);
  const journal = await readJournal(state);
  if (!journal) return undefined;
  const sha = await sidecarSha(config.SNAPSHOT_FILE);
  if (sha !== undefined && sha !== journal.sha256) {
    ctx.log.warn('the restore journal belongs to another snapshot: not continuing it', { journal: state, journalSha256: journal.sha256, snapshotSha256: sha });
    return undefined;
  }
  ctx.log.info('continuing the restore an earlier run of restore-runner started', { phase: journal.phase, startedAt: journal.startedAt, journal: state });
  return journal;
}

/** Already initialized and no restore of ours in progress: a pod restart must never overwrite live data. */
async function declineInitialized(ctx: NodeContext, status: SealStatus, config: RestoreConfig): Promise<void> {
  const { marker } = outputPaths(config);
  const restoredSha = await readMarker(marker);
  if (restoredSha !== undefined) {
    ctx.log.info('already restored: Vault is initialized and the marker exists; not restoring again', { marker, sha256: restoredSha || undefined, sealed: status.sealed });
    return;
  }
  ctx.log.warn('Vault already initialized: not restoring (set RESTORE_FORCE_OVER_INITIALIZED=true to restore over live data)', {
    vaultAddr: ctx.client.addr,
    sealed: status.sealed,
    hint: 'if this is the target of a restore whose pod was deleted midway, delete its data (PVC) and start again',
  });
}

/** A drill that stops before its snapshot applied still leaves its result: a report and the `drill result` line. */
async function reportDrillFailure(ctx: NodeContext, config: RestoreConfig, status: SealStatus, keysGiven: boolean, err: AppError): Promise<void> {
  const levels = levelsOfFailure(levelPlan(config, status.type, keysGiven), err);
  const now = new Date().toISOString();
  await writeFileAtomic(outputPaths(config).report, `${JSON.stringify({ status: 'failed', levels, error: { code: err.code, message: describeError(err) }, finishedAt: now }, null, 2)}\n`, 0o644);
  logLevels(ctx.log, true, levels);
}

/** Restores on this pod; a drill below its required level ends with DRILL_FAILED after writing its report. @throws AppError */
async function restoreHere(ctx: NodeContext, status: SealStatus, deps: RunnerDeps, restorePod: string, resumed: Journal | undefined): Promise<void> {
  const { config, log } = deps;
  const sourceKeys = await deps.loadKeys();
  let report: RestoreReport;
  try {
    report = await restoreSnapshot(ctx, status, { config, sourceKeys, clientFor: deps.clientFor, hostname: deps.hostname, restorePod }, resumed);
  } catch (err) {
    if (config.RESTORE_DRILL && err instanceof AppError && err.code !== 'ABORTED') await reportDrillFailure(ctx, config, status, sourceKeys !== undefined, err);
    throw err;
  }
  const { levels } = report;
  if (config.RESTORE_DRILL && !levels.passed) {
    const first = levels.checks.find((c) => c.status === 'failed' || c.status === 'not reached');
    throw new AppError('DRILL_FAILED', `the drill reached level ${levels.reached} of the required ${levels.required}: ${first ? `${first.name} ${first.status}: ${first.reason ?? ''}` : ''} (report ${outputPaths(config).report})`);
  }
  log.info('restore complete', { durationMs: report.durationMs, index: report.snapshot.index, term: report.snapshot.term, openedBy: report.unsealedBy, peersOpened: report.unsealedPeers, levelReached: levels.reached, report: outputPaths(config).report });
}

/**
 * The runner's state machine: wait for Vault -> pod guard -> marker / journal / initialized checks -> restore
 * (see restore-flow.ts) -> idle until SIGTERM, or return when RESTORE_EXIT_WHEN_DONE.
 * Pods other than the restore pod never send keys: the restore pod unseals them (RESTORE_PEER_ADDRS) once it is
 * unsealed itself, so two runners never feed one node's unseal progress.
 * @throws AppError subclasses for every failure (runMain turns them into exit 1, or 2 for configuration).
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
    sourceKeys: config.VAULT_UNSEAL_KEYS !== undefined ? 'VAULT_UNSEAL_KEYS' : (config.VAULT_UNSEAL_KEYS_FILE ?? 'none'),
    // Field names avoid the log deny-list words (token, unseal), which would hide these harmless values.
    checkAfterRestore: config.RESTORE_VERIFY_TOKEN !== undefined ? 'source lookup-self' : 'health',
    forceOverInitialized: config.RESTORE_FORCE_OVER_INITIALIZED,
    waitTimeout: formatDuration(config.RESTORE_WAIT_TIMEOUT),
  });
  if (!pod.restore) {
    log.info('not the restore pod: not restoring; the restore pod unseals this node after the restore (its RESTORE_PEER_ADDRS), or unseal it by hand', { reason: pod.reason });
  } else {
    const status = await waitForVault(ctx);
    log.info('Vault answers', { sealType: status.type, initialized: status.initialized, sealed: status.sealed, version: status.version });
    const resumed = (await readMarker(outputPaths(config).marker)) === undefined ? await journalToResume(ctx, config) : undefined;
    if (status.initialized && !resumed && !config.RESTORE_FORCE_OVER_INITIALIZED) await declineInitialized(ctx, status, config);
    else {
      if (status.initialized && !resumed) log.warn('RESTORE_FORCE_OVER_INITIALIZED=true: restoring over an initialized Vault; its live data will be replaced');
      await restoreHere(ctx, status, deps, pod.restorePod, resumed);
    }
  }
  if (config.RESTORE_EXIT_WHEN_DONE) return;
  log.info('done; idling until SIGTERM');
  await deps.idle();
}
