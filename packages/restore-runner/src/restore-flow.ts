import { type VaultClient, withoutUserinfo } from '@vault-raft-backup/common';
import { awaitApplied } from './await-applied';
import { outputPaths, type RestoreConfig } from './config';
import { checkCanary } from './canary';
import { unsealRestored, verifyActive, verifySourceToken } from './finish';
import { type Journal, JournalFile, removeJournal } from './journal';
import { type LevelPlan, LevelRecorder, logLevels } from './levels';
import { unsealPeers } from './peers';
import { checkSealFamily, checkVersion, temporaryInitShape } from './preflight';
import { type RestoreReport, snapshotSummary, writeOutputs } from './report';
import { uploadWasAccepted } from './resume';
import { type CheckedSnapshot, checkSnapshotFile } from './snapshot-check';
import { initTemporary, lostInit, openTemporary } from './temporary';
import { uploadSnapshot } from './upload-snapshot';
import { attempt, type NodeContext, readSealStatus, type SealStatus, waitActive } from './vault-node';
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

/** Level 2: unseal (source keys, KMS, or the operator), the followers, active with the snapshot's data. */
async function unsealAll(ctx: NodeContext, sealType: string, deps: FlowDeps, run: FinishRun): Promise<RestoreReport['unsealedBy']> {
  const { config } = deps;
  const unsealedBy = await run.step('unseal', () => unsealRestored(ctx, sealType, deps.sourceKeys, run.checked.record?.vault));
  const leader = await readSealStatus(ctx);
  const canDoPeers = sealType !== 'shamir' || deps.sourceKeys !== undefined;
  if (!canDoPeers && config.RESTORE_PEER_ADDRS.length > 0) ctx.log.warn('without the source keys the followers stay sealed: unseal each of them by hand too', { peers: config.RESTORE_PEER_ADDRS });
  const plan = { sealType, keys: sealType === 'shamir' ? deps.sourceKeys : undefined, threshold: leader.t };
  if (canDoPeers) run.unsealedPeers = await run.step('unsealPeers', () => unsealPeers(ctx, config.RESTORE_PEER_ADDRS, plan, deps.clientFor));
  await run.step('verify', () => verifyActive(ctx, run.tokenBefore));
  return unsealedBy;
}

interface FinishRun {
  checked: CheckedSnapshot;
  tokenBefore: string | undefined;
  startedAt: Date;
  timings: Record<string, number>;
  step: Step;
  unsealedPeers?: string[];
}

/** Levels 2-4 after the apply; a drill without the source keys of a Shamir snapshot stops at level 1 instead of waiting for an operator. */
async function checkLevels(ctx: NodeContext, sealType: string, deps: FlowDeps, run: FinishRun, levels: LevelRecorder): Promise<RestoreReport['unsealedBy']> {
  const { config } = deps;
  let unsealedBy: RestoreReport['unsealedBy'] = 'none';
  if (config.RESTORE_DRILL && sealType === 'shamir' && !deps.sourceKeys) {
    levels.skip(2, 'no source keys (VAULT_UNSEAL_KEYS_FILE): a Shamir snapshot stays sealed, so the data cannot be read');
  } else {
    await levels.run(2, true, async () => {
      unsealedBy = await unsealAll(ctx, sealType, deps, run);
    });
  }
  const token = config.RESTORE_VERIFY_TOKEN;
  await levels.run(3, token !== undefined, () => run.step('sourceToken', () => verifySourceToken(ctx, token ?? '')));
  const canary = config.RESTORE_CANARY_PATH;
  await levels.run(4, canary !== undefined, () => run.step('canary', () => checkCanary(ctx, token ?? '', { path: canary ?? '', field: config.RESTORE_CANARY_FIELD, expected: config.RESTORE_CANARY_VALUE })));
  return unsealedBy;
}

/** What the configuration makes reachable, for the required level. */
export function levelPlan(config: RestoreConfig, sealType: string, keysGiven: boolean): LevelPlan {
  return { canUnseal: sealType !== 'shamir' || keysGiven || !config.RESTORE_DRILL, token: config.RESTORE_VERIFY_TOKEN !== undefined, canary: config.RESTORE_CANARY_PATH !== undefined, minLevel: config.RESTORE_DRILL_MIN_LEVEL };
}

/** After the apply: levels 2-4, report and marker; the journal goes once the marker is written. */
async function finish(ctx: NodeContext, sealType: string, deps: FlowDeps, run: FinishRun): Promise<RestoreReport> {
  const { config } = deps;
  const levels = new LevelRecorder(levelPlan(config, sealType, deps.sourceKeys !== undefined), config.RESTORE_DRILL);
  await levels.run(1, true, async () => {});
  const unsealedBy = await checkLevels(ctx, sealType, deps, run, levels);
  const levelReport = levels.report();
  const after = await attempt(() => readSealStatus(ctx));
  const status = 'value' in after ? after.value : undefined;
  const report: RestoreReport = {
    status: levelReport.passed ? 'restored' : 'failed',
    snapshot: snapshotSummary(config.SNAPSHOT_FILE, run.checked),
    vault: { addr: withoutUserinfo(ctx.client.addr), sealType, version: status?.version, clusterName: status?.cluster_name },
    pod: { hostname: deps.hostname, restorePod: deps.restorePod },
    unsealedBy,
    unsealedPeers: run.unsealedPeers ?? [],
    sourceTokenVerified: levelReport.checks[2]?.status === 'passed',
    levels: levelReport,
    startedAt: run.startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    durationMs: Date.now() - run.startedAt.getTime(),
    timingsMs: run.timings,
  };
  const paths = outputPaths(config);
  await writeOutputs(paths, report);
  await removeJournal(paths.state);
  logLevels(ctx.log, config.RESTORE_DRILL, levelReport);
  return report;
}
