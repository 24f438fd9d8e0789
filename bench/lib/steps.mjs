// One iteration of the benchmark: each step run by our bundle and by its peer (curl, aws CLI).
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { jsonLines, mustSucceed, startServer, timed } from './proc.mjs';

/** A measurement of one or more processes that together make up one side of a step. */
function measure(...results) {
  return {
    seconds: results.reduce((s, r) => s + r.seconds, 0),
    rssKiB: Math.max(...results.map((r) => r.rssKiB ?? 0)),
    cpuSeconds: results.reduce((s, r) => s + (r.cpuSeconds ?? 0), 0),
  };
}

/** Progress lines of a run: how many, and the longest gap between two consecutive log lines of any kind. */
function progressOf(result) {
  const lines = jsonLines(result.stdout);
  const progress = lines.filter((l) => typeof l.bytes === 'number' && (l.mibPerSec !== undefined || l.bytesPerSecond !== undefined || l.etaSeconds !== undefined) && l.durationMs === undefined);
  const timed = lines.filter((l) => Number.isFinite(Date.parse(l.time)));
  let maxGap = 0;
  let gapAfter;
  for (let i = 1; i < timed.length; i++) {
    const gap = Date.parse(timed[i].time) - Date.parse(timed[i - 1].time);
    if (gap > maxGap) [maxGap, gapAfter] = [gap, `${timed[i - 1].msg} -> ${timed[i].msg}`];
  }
  return { progressLines: progress.length, maxLogGapSeconds: Math.round(maxGap / 100) / 10, maxLogGapAt: gapAfter, sample: progress[0] };
}

function bundle(ctx, name, env) {
  return timed(ctx.node, [ctx.bundles[name]], { env: { ...ctx.baseEnv, ...env }, workDir: ctx.work });
}

function s3Env(ctx) {
  const s3 = ctx.s3;
  return { AWS_ENDPOINT_URL_S3: s3.endpoint, AWS_REGION: s3.region, AWS_ACCESS_KEY_ID: s3.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.secretAccessKey, S3_FORCE_PATH_STYLE: 'true', S3_BUCKET: ctx.bucket };
}

function aws(ctx, args) {
  return timed('aws', ['--endpoint-url', ctx.s3.endpoint, ...args], { env: ctx.awsEnv, workDir: ctx.work });
}

/** approle-login (ours) or a curl POST (peer): a token for the snapshot. */
export async function login(ctx) {
  const tokenFile = join(ctx.work, 'token');
  const ours = mustSucceed('approle-login', await bundle(ctx, 'approle-login', { VAULT_ADDR: ctx.vault.url, VAULT_ROLE_ID: ctx.vault.roleId, VAULT_SECRET_ID: ctx.vault.secretId, VAULT_TOKEN_FILE: tokenFile }));
  const body = JSON.stringify({ role_id: ctx.vault.roleId, secret_id: ctx.vault.secretId });
  const peer = mustSucceed('curl login', await timed('curl', ['-sS', '-f', '-X', 'POST', '--data-binary', body, `${ctx.vault.url}/v1/auth/approle/login`], { workDir: ctx.work }));
  const token = JSON.parse(peer.stdout).auth.client_token;
  return { ours: measure(ours), peer: measure(peer), tokenFile, token };
}

/** snapshot-taker vs `curl -o` of the same URL. */
export async function snapshot(ctx, { tokenFile, token }) {
  const ourFile = join(ctx.work, 'ours.snap');
  const peerFile = join(ctx.work, 'peer.snap');
  const runOurs = async () => mustSucceed('snapshot-taker', await bundle(ctx, 'snapshot-taker', { VAULT_ADDR: ctx.vault.url, VAULT_TOKEN_FILE: tokenFile, SNAPSHOT_FILE: ourFile }));
  const runPeer = async () => mustSucceed('curl -o', await timed('curl', ['-sS', '-f', '-o', peerFile, '-H', `X-Vault-Token: ${token}`, `${ctx.vault.url}/v1/sys/storage/raft/snapshot`], { workDir: ctx.work }));
  const [ours, peer] = await ordered(ctx, runOurs, runPeer);
  const record = JSON.parse(readFileSync(`${ourFile}.json`, 'utf8'));
  rmSync(peerFile, { force: true });
  return { ours: { ...measure(ours), ...progressOf(ours) }, peer: measure(peer), file: ourFile, bytes: record.bytes };
}

/** s3-uploader (upload, verify, server-side latest) vs `aws s3 cp` of the same file twice. */
export async function upload(ctx, { file }) {
  const runOurs = async () => mustSucceed('s3-uploader', await bundle(ctx, 's3-uploader', { ...s3Env(ctx), SNAPSHOT_FILE: file }));
  const runPeer = async () => {
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const first = mustSucceed('aws s3 cp', await aws(ctx, ['s3', 'cp', '--only-show-errors', file, `s3://${ctx.bucket}/peer/vault_${stamp}.snap`]));
    const second = mustSucceed('aws s3 cp (latest)', await aws(ctx, ['s3', 'cp', '--only-show-errors', file, `s3://${ctx.bucket}/peer/latest.snap`]));
    return [first, second];
  };
  const [ours, peer] = await ordered(ctx, runOurs, runPeer);
  return { ours: { ...measure(ours), ...progressOf(ours), ...integrityOf(ours) }, peer: measure(...peer) };
}

/** From s3-uploader's log: seconds of the multipart upload and of the read-back of the stored object (the integrity check). */
function integrityOf(result) {
  const lines = jsonLines(result.stdout);
  const seconds = (msg) => {
    const ms = lines.find((l) => l.msg === msg)?.durationMs;
    return typeof ms === 'number' ? ms / 1000 : Number.NaN;
  };
  return { uploadPartsSeconds: seconds('uploaded'), readBackSeconds: seconds('verified') };
}

/** restore-fetcher (download + verify) vs `aws s3 cp` and a SigV4-signed `curl` of `latest`. */
export async function fetchForRestore(ctx, { file }) {
  const fetched = join(ctx.work, 'fetched.snap');
  const peerFile = join(ctx.work, 'peer-fetched.snap');
  const latest = `s3://${ctx.bucket}/latestbackup.snap`;
  const runPeer = async () => mustSucceed('aws s3 cp (download)', await aws(ctx, ['s3', 'cp', '--only-show-errors', latest, peerFile]));
  const runCurl = async () => {
    const s3 = ctx.s3;
    const url = `${s3.endpoint}/${ctx.bucket}/latestbackup.snap`;
    return mustSucceed('curl --aws-sigv4', await timed('curl', ['-sS', '-f', '-o', peerFile, '--aws-sigv4', `aws:amz:${s3.region}:s3`, '-H', 'x-amz-content-sha256: UNSIGNED-PAYLOAD', '--user', `${s3.accessKeyId}:${s3.secretAccessKey}`, url], { workDir: ctx.work }));
  };
  if (!ctx.bundles['restore-fetcher']) {
    const peer = await runPeer();
    rmSync(peerFile, { force: true });
    const curl = await runCurl();
    rmSync(peerFile, { force: true });
    return { ours: undefined, peer: measure(peer), curl: measure(curl), file };
  }
  const runOurs = async () => mustSucceed('restore-fetcher', await bundle(ctx, 'restore-fetcher', { ...s3Env(ctx), SNAPSHOT_FILE: fetched }));
  const [ours, peer] = await ordered(ctx, runOurs, runPeer);
  rmSync(peerFile, { force: true });
  const curl = await runCurl();
  rmSync(peerFile, { force: true });
  return { ours: { ...measure(ours), ...progressOf(ours) }, peer: measure(peer), curl: measure(curl), file: fetched };
}

async function withDouble(ctx, initialized, fn) {
  const server = await startServer(ctx.vaultServer, { env: { ...process.env, VAULT_DOUBLE_INITIALIZED: String(initialized), VAULT_DOUBLE_RESTORE_DELAY_MS: '50' } });
  try {
    return await fn(server.info);
  } finally {
    await server.stop();
  }
}

/** restore-runner's whole run on a fresh double vs `curl --data-binary @file` to snapshot-force of a fresh initialized double. */
export async function restoreUpload(ctx, { file }) {
  const keysFile = join(ctx.work, 'source-keys');
  writeFileSync(keysFile, `${ctx.vault.unsealKeys.join('\n')}\n`, { mode: 0o600 });
  const runOurs = () =>
    withDouble(ctx, false, async (fresh) => {
      const env = { VAULT_ADDR: fresh.url, SNAPSHOT_FILE: file, HOSTNAME: 'vault-0', VAULT_UNSEAL_KEYS_FILE: keysFile, RESTORE_EXIT_WHEN_DONE: 'true', RESTORE_REPORT_FILE: join(ctx.work, 'report.json'), RESTORE_MARKER_FILE: join(ctx.work, 'restored') };
      const result = mustSucceed('restore-runner', await bundle(ctx, 'restore-runner', env));
      const report = JSON.parse(readFileSync(join(ctx.work, 'report.json'), 'utf8'));
      for (const f of ['report.json', 'restored']) rmSync(join(ctx.work, f), { force: true });
      return { ...result, uploadSeconds: (report.timingsMs?.upload ?? Number.NaN) / 1000 };
    });
  let peerHow = 'curl --data-binary';
  const runPeer = () =>
    withDouble(ctx, true, async (fresh) => {
      const post = (body) => ['-sS', '-f', '-o', '/dev/null', '-X', 'POST', '-H', `X-Vault-Token: ${fresh.rootToken}`, '-H', 'Content-Type: application/octet-stream', ...body, `${fresh.url}/v1/sys/storage/raft/snapshot-force`];
      const result = await timed('curl', post(['--data-binary', `@${file}`]), { workDir: ctx.work });
      // curl reads a --data-binary file into memory and gives up on large ones ("out of memory"); -T streams it instead.
      if (result.code === 0 || !/out of memory/.test(result.stderr)) return mustSucceed('curl --data-binary', result);
      peerHow = 'curl -T (--data-binary: out of memory)';
      return mustSucceed('curl -T', await timed('curl', post(['-T', file]), { workDir: ctx.work }));
    });
  const [ours, peer] = await ordered(ctx, runOurs, runPeer);
  return { ours: { ...measure(ours), uploadSeconds: ours.uploadSeconds, ...progressOf(ours) }, peer: measure(peer), peerHow };
}

/** Runs ours and the peer one after the other, alternating who goes first between iterations. */
async function ordered(ctx, runOurs, runPeer) {
  if (ctx.iteration % 2 === 0) {
    const ours = await runOurs();
    return [ours, await runPeer()];
  }
  const peer = await runPeer();
  return [await runOurs(), peer];
}

/** Empties the bucket and the work files of one iteration (not timed). */
export async function cleanIteration(ctx) {
  mustSucceed('aws s3 rm', await aws(ctx, ['s3', 'rm', '--only-show-errors', '--recursive', `s3://${ctx.bucket}/`]));
  for (const f of ['ours.snap', 'ours.snap.json', 'fetched.snap', 'fetched.snap.json', 'peer.snap', 'peer-fetched.snap', 'token', 'source-keys']) {
    if (existsSync(join(ctx.work, f))) rmSync(join(ctx.work, f), { force: true });
  }
}
