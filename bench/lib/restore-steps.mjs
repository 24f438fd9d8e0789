// The restore side of one iteration: restore-fetcher (unpinned and pinned) and restore-runner on each Node against their
// peers, and the cleanup between iterations.
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { withProducerPinned } from './pinning.mjs';
import { mustSucceed, startServer, timed } from './proc.mjs';
import { bundle, measure, ordered, peerCommand, perNode, progressOf } from './sides.mjs';
import { aws, s3Env } from './steps.mjs';

/** restore-fetcher on each Node vs `aws s3 cp` and a SigV4-signed `curl` of `latest`; then fetcher and curl pinned. */
export async function fetchForRestore(ctx, { file }) {
  if (!ctx.steps.has('fetcher')) return { file };
  const fetchedOf = (node) => join(ctx.work, `fetched-${node.label}.snap`);
  const peerFile = join(ctx.work, 'peer-fetched.snap');
  const latest = `s3://${ctx.bucket}/latestbackup.snap`;
  const runOurs = (node, pinned) => async () => {
    const r = mustSucceed('restore-fetcher', await bundle(ctx, 'restore-fetcher', { ...s3Env(ctx), SNAPSHOT_FILE: fetchedOf(node) }, node, { pinned }));
    rmSync(fetchedOf(node), { force: true });
    rmSync(`${fetchedOf(node)}.json`, { force: true });
    return { ...measure(r), ...progressOf(r) };
  };
  const runAws = async () => {
    const r = measure(mustSucceed('aws s3 cp (download)', await aws(ctx, ['s3', 'cp', '--only-show-errors', latest, peerFile])));
    rmSync(peerFile, { force: true });
    return r;
  };
  const runCurl = (pinned) => async () => {
    const s3 = ctx.s3;
    const args = ['-sS', '-f', '-o', peerFile, '--aws-sigv4', `aws:amz:${s3.region}:s3`, '-H', 'x-amz-content-sha256: UNSIGNED-PAYLOAD', '--user', `${s3.accessKeyId}:${s3.secretAccessKey}`, `${s3.endpoint}/${ctx.bucket}/latestbackup.snap`];
    const r = measure(mustSucceed('curl --aws-sigv4', await peerCommand(ctx, 'curl', args, { pinned })));
    rmSync(peerFile, { force: true });
    return r;
  };
  const results = await ordered(ctx, [...ctx.nodes.map((n) => runOurs(n, false)), runAws, runCurl(false)]);
  const out = { file, ours: perNode(ctx, results), peer: results.at(-2), curl: results.at(-1) };
  if (ctx.pin) {
    const pinned = await withProducerPinned(ctx.s3Pid, () => ordered(ctx, [...ctx.nodes.map((n) => runOurs(n, true)), runCurl(true)]));
    out.pinned = { ours: perNode(ctx, pinned), curl: pinned.at(-1) };
  }
  return out;
}

async function withDouble(ctx, initialized, fn) {
  const server = await startServer(ctx.vaultServer, { env: { ...process.env, VAULT_DOUBLE_INITIALIZED: String(initialized), VAULT_DOUBLE_RESTORE_DELAY_MS: '50' } });
  try {
    return await fn(server.info);
  } finally {
    await server.stop();
  }
}

/** restore-runner's whole run on a fresh double (each Node) vs `curl --data-binary @file` to snapshot-force of a fresh initialized double. */
export async function restoreUpload(ctx, { file }) {
  if (!ctx.steps.has('restore')) return {};
  const keysFile = join(ctx.work, 'source-keys');
  writeFileSync(keysFile, `${ctx.vault.unsealKeys.join('\n')}\n`, { mode: 0o600 });
  const runOurs = (node) => () =>
    withDouble(ctx, false, async (fresh) => {
      const env = { VAULT_ADDR: fresh.url, SNAPSHOT_FILE: file, HOSTNAME: 'vault-0', VAULT_UNSEAL_KEYS_FILE: keysFile, RESTORE_EXIT_WHEN_DONE: 'true', RESTORE_REPORT_FILE: join(ctx.work, 'report.json'), RESTORE_MARKER_FILE: join(ctx.work, 'restored') };
      const result = mustSucceed('restore-runner', await bundle(ctx, 'restore-runner', env, node));
      const report = JSON.parse(readFileSync(join(ctx.work, 'report.json'), 'utf8'));
      for (const f of ['report.json', 'restored']) rmSync(join(ctx.work, f), { force: true });
      return { ...measure(result), ...progressOf(result), uploadSeconds: (report.timingsMs?.upload ?? Number.NaN) / 1000 };
    });
  let peerHow = 'curl --data-binary';
  const runPeer = () =>
    withDouble(ctx, true, async (fresh) => {
      const post = (body) => ['-sS', '-f', '-o', '/dev/null', '-X', 'POST', '-H', `X-Vault-Token: ${fresh.rootToken}`, '-H', 'Content-Type: application/octet-stream', ...body, `${fresh.url}/v1/sys/storage/raft/snapshot-force`];
      const result = await timed('curl', post(['--data-binary', `@${file}`]), { workDir: ctx.work });
      // curl reads a --data-binary file into memory and gives up on large ones ("out of memory"); -T streams it instead.
      if (result.code === 0 || !/out of memory/.test(result.stderr)) return measure(mustSucceed('curl --data-binary', result));
      peerHow = 'curl -T (--data-binary: out of memory)';
      return measure(mustSucceed('curl -T', await timed('curl', post(['-T', file]), { workDir: ctx.work })));
    });
  const results = await ordered(ctx, [...ctx.nodes.map(runOurs), runPeer]);
  return { ours: perNode(ctx, results), peer: results.at(-1), peerHow };
}

/** Empties the bucket and the work files of one iteration (not timed). */
export async function cleanIteration(ctx) {
  mustSucceed('aws s3 rm', await aws(ctx, ['s3', 'rm', '--only-show-errors', '--recursive', `s3://${ctx.bucket}/`]));
  for (const f of readdirSync(ctx.work)) {
    if (/\.snap(\.json)?$/.test(f) || f === 'token' || f === 'source-keys') rmSync(join(ctx.work, f), { force: true });
  }
  if (existsSync(join(ctx.work, 'report.json'))) rmSync(join(ctx.work, 'report.json'), { force: true });
}
