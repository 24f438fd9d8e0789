import { type VaultClient, withoutUserinfo } from '@vault-raft-backup/common';
import { awaitApplied } from './await-applied';
import { outputPaths, type RestoreConfig } from './config';
import { unsealRestored, verifyRestored } from './finish';
import { type Journal, JournalFile, removeJournal } from './journal';
import { unsealPeers } from './peers';
import { checkSealFamily, checkVersion, temporaryInitShape } from './preflight';
import { type RestoreReport, snapshotSummary, writeOutputs } from './report';
import { uploadWasAccepted } from './resume';
import { type CheckedSnapshot, checkSnapshotFile } from './snapshot-check';
import { initTemporary, lostInit, openTemporary } from './temporary';
import { uploadSnapshot } from './upload-snapshot';
import { type NodeContext, readSealStatus, type SealStatus, waitActive } from './vault-node';
import { formatDuration } from './wait';

/** Everything the restore path needs besides the node context. */
export interface FlowDeps {
  config: RestoreConfig;
  /** The source cluster's unseal keys (Shamir), when given. */
  sourceKeys: string[] | undefined;
  clientFor: (addr: string) => VaultClient;
  hostname: string;
  restorePod: string;
}

/** Per-step timings for the report. */
function stopwatch(timings: Record<string, number>) {
  return async <T>(step: string, fn: () => Promise<T>): Promise<T> => {
    const started = Date.now();
    const out = await fn();
    timings[step] = (timings[step] ?? 0) + Date.now() - started;
    return out;
  };
}

type Step = ReturnType<typeof stopwatch>;

/** Checks that need no write to Vault: the archive, its seal family, its Vault version, the temporary init's shape. */
async function preflight(ctx: NodeContext, status: SealStatus, deps: FlowDeps, step: Step): Promise<CheckedSnapshot> {
  const { config } = deps;
  const checked = await step('verifySnapshot', () => checkSnapshotFile(config.SNAPSHOT_FILE, ctx.signal));
  const source = checked.record?.vault;
  ctx.log.info('snapshot file verified', { file: config.SNAPSHOT_FILE, sha256: checked.info.sha256, bytes: checked.info.bytes, index: checked.info.index, term: checked.info.term, sidecar: checked.record !== undefined, source });
  checkSealFamily(source, status.type, ctx.log);
  checkVersion(source?.version, status.version, config.RESTORE_ALLOW_OLDER_VAULT, ctx.log);
  return checked;
}

/** Up to an accepted upload: init (fresh node) or the live token (forced), snapshot-force, journal at `uploaded`. */
async function upload(ctx: NodeContext, journal: JournalFile, checked: CheckedSnapshot, deps: FlowDeps, step: Step): Promise<void> {
  const { config } = deps;
  const phase = journal.state.phase;
  if (phase === 'uploading' && (await uploadWasAccepted(ctx, journal))) {
    ctx.log.info('the snapshot-force of the earlier run was accepted: not uploading again');
    await journal.advance('uploaded');
    return;
  }
  const token = journal.state.temporary?.rootToken ?? config.VAULT_TOKEN ?? '';
  if (journal.state.temporary) await openTemporary(ctx, journal);
  await step('waitActive', () => waitActive(ctx));
  await journal.advance('uploading');
  ctx.log.info('uploading snapshot to snapshot-force', { bytes: checked.info.bytes });
  const sent = await step('upload', () => uploadSnapshot(ctx.client, config.SNAPSHOT_FILE, { token, log: ctx.log, signal: ctx.signal, responseTimeoutMs: ctx.waitMs, socketTimeoutMs: config.VAULT_TIMEOUT }));
  await journal.advance('uploaded');
  ctx.log.info('snapshot accepted by Vault; waiting until it applies', { bytes: sent.bytes, durationMs: sent.durationMs, acceptedBy: sent.acceptedBy, waitTimeout: formatDuration(ctx.waitMs) });
}

/** The first phase: a temporary init of a fresh node, or (forced over a live cluster) straight to the upload. @throws ConfigError, VaultError, AppError */
async function begin(ctx: NodeContext, journal: JournalFile, status: SealStatus, deps: FlowDeps, checked: CheckedSnapshot, resumed: boolean): Promise<void> {
  const { config } = deps;
  if (status.initialized) {
    if (resumed) throw lostInit(ctx.client.addr);
    await journal.advance('initialized');
    return;
  }
  const explicit = { shares: config.RESTORE_INIT_SHARES, threshold: config.RESTORE_INIT_THRESHOLD };
  const shape = temporaryInitShape({ explicit, source: checked.record?.vault, keysGiven: deps.sourceKeys?.length ?? 0, targetSealType: status.type }, ctx.log);
  await initTemporary(ctx, journal, shape);
}

/**
 * The restore path as a journal of phases: preflight, temporary init, upload, apply, unseal (self, then the
 * followers), verify, report and marker. A runner restarted in any phase continues from it, with the same
 * snapshot, and never sends a second snapshot-force once Vault accepted one.
 * @throws SnapshotError, VaultError, AppError: every failure ends the run with exit 1 (exit 2 when a variable must be set).
 */
export async function restoreSnapshot(ctx: NodeContext, status: SealStatus, deps: FlowDeps, resumed: Journal | undefined): Promise<RestoreReport> {
  const startedAt = resumed ? new Date(resumed.startedAt) : new Date();
  const timings: Record<string, number> = {};
  const step = stopwatch(timings);
  const checked = await preflight(ctx, status, deps, step);
  const journal = new JournalFile(outputPaths(deps.config).state, resumed ?? { phase: 'init-sent', sha256: checked.info.sha256, sealType: status.type, startedAt: startedAt.toISOString() });
  if (journal.state.phase === 'init-sent') await step('init', () => begin(ctx, journal, status, deps, checked, resumed !== undefined));
  // what tells an applied restore: the temporary token of our init stops working; over a live cluster its token may not
  const tokenBefore = journal.state.temporary?.rootToken;
  const phase = journal.state.phase;
  if (phase === 'initialized' || phase === 'uploading') await upload(ctx, journal, checked, deps, step);
  if (journal.state.phase === 'uploaded') {
    const sealType = journal.state.sealType;
    const probe = tokenBefore !== undefined ? { sealType, sourceClusterId: checked.record?.vault?.clusterId, tokenBefore } : { sealType, liveToken: deps.config.VAULT_TOKEN ?? '' };
    await step('apply', () => awaitApplied(ctx, { ...probe, acceptedAt: Date.now() }));
    await journal.advance('applied');
    ctx.log.info('restore applied', { sealType });
  }
  return finish(ctx, journal.state.sealType, deps, { checked, tokenBefore, startedAt, timings, step });
}

/** After the apply: unseal, followers, verify, report and marker; the journal goes once the marker is written. */
async function finish(ctx: NodeContext, sealType: string, deps: FlowDeps, run: { checked: CheckedSnapshot; tokenBefore: string | undefined; startedAt: Date; timings: Record<string, number>; step: Step }): Promise<RestoreReport> {
  const { config } = deps;
  const { step, checked } = run;
  const source = checked.record?.vault;
  const unsealedBy = await step('unseal', () => unsealRestored(ctx, sealType, deps.sourceKeys, source));
  const leader = await readSealStatus(ctx);
  const canDoPeers = sealType !== 'shamir' || deps.sourceKeys !== undefined;
  if (!canDoPeers && config.RESTORE_PEER_ADDRS.length > 0) ctx.log.warn('without the source keys the followers stay sealed: unseal each of them by hand too', { peers: config.RESTORE_PEER_ADDRS });
  const plan = { sealType, keys: sealType === 'shamir' ? deps.sourceKeys : undefined, threshold: leader.t };
  const unsealedPeers = canDoPeers ? await step('unsealPeers', () => unsealPeers(ctx, config.RESTORE_PEER_ADDRS, plan, deps.clientFor)) : [];
  const sourceTokenVerified = await step('verify', () => verifyRestored(ctx, run.tokenBefore, config.RESTORE_VERIFY_TOKEN));
  const after = await readSealStatus(ctx);
  const report: RestoreReport = {
    status: 'restored',
    snapshot: snapshotSummary(config.SNAPSHOT_FILE, checked),
    vault: { addr: withoutUserinfo(ctx.client.addr), sealType, version: after.version, clusterName: after.cluster_name },
    pod: { hostname: deps.hostname, restorePod: deps.restorePod },
    unsealedBy,
    unsealedPeers,
    sourceTokenVerified,
    startedAt: run.startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    durationMs: Date.now() - run.startedAt.getTime(),
    timingsMs: run.timings,
  };
  const paths = outputPaths(config);
  await writeOutputs(paths, report);
  await removeJournal(paths.state);
  return report;
}
