// The backup side of one iteration: login, snapshot (with its floor and the pinned arrangement), upload. Each of our
// bundles runs on every Node of the run; the peers (curl, the aws CLI) run once.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { measureFloor } from './floor.mjs';
import { withProducerPinned } from './pinning.mjs';
import { jsonLines, mustSucceed, timed } from './proc.mjs';
import { bundle, measure, ordered, peerCommand, perNode, progressOf } from './sides.mjs';

export function s3Env(ctx) {
  const s3 = ctx.s3;
  return { AWS_ENDPOINT_URL_S3: s3.endpoint, AWS_REGION: s3.region, AWS_ACCESS_KEY_ID: s3.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.secretAccessKey, S3_FORCE_PATH_STYLE: 'true', S3_BUCKET: ctx.bucket };
}

export function aws(ctx, args) {
  return timed('aws', ['--endpoint-url', ctx.s3.endpoint, ...args], { env: ctx.awsEnv, workDir: ctx.work });
}

/** An AppRole token from a curl login, untimed. */
async function freshToken(ctx) {
  const body = JSON.stringify({ role_id: ctx.vault.roleId, secret_id: ctx.vault.secretId });
  const r = mustSucceed('curl login', await timed('curl', ['-sS', '-f', '-X', 'POST', '--data-binary', body, `${ctx.vault.url}/v1/auth/approle/login`], { workDir: ctx.work }));
  return JSON.parse(r.stdout).auth.client_token;
}

/** approle-login on each Node (ours) or a curl POST (peer): a token for the snapshot. */
export async function login(ctx) {
  const tokenFile = join(ctx.work, 'token');
  const env = { VAULT_ADDR: ctx.vault.url, VAULT_ROLE_ID: ctx.vault.roleId, VAULT_SECRET_ID: ctx.vault.secretId, VAULT_TOKEN_FILE: tokenFile };
  const ours = [];
  for (const node of ctx.nodes) ours.push(measure(mustSucceed('approle-login', await bundle(ctx, 'approle-login', env, node))));
  const body = JSON.stringify({ role_id: ctx.vault.roleId, secret_id: ctx.vault.secretId });
  const peer = mustSucceed('curl login', await timed('curl', ['-sS', '-f', '-X', 'POST', '--data-binary', body, `${ctx.vault.url}/v1/auth/approle/login`], { workDir: ctx.work }));
  const token = JSON.parse(peer.stdout).auth.client_token;
  return { ours: perNode(ctx, ours), peer: measure(peer), tokenFile, token };
}

/** snapshot-taker on each Node vs `curl -o` of the same URL, unpinned and pinned; the floor on the taker's archive. */
export async function snapshot(ctx, { tokenFile, token }) {
  const fileOf = (node) => join(ctx.work, `ours-${node.label}.snap`);
  const peerFile = join(ctx.work, 'peer.snap');
  let tokenUsed = false;
  const runOurs = (node, pinned) => async () => {
    // snapshot-taker revokes its token when done: every run after the first gets a fresh one (untimed).
    if (tokenUsed) writeFileSync(tokenFile, await freshToken(ctx), { mode: 0o600 });
    tokenUsed = true;
    const env = { VAULT_ADDR: ctx.vault.url, VAULT_TOKEN_FILE: tokenFile, SNAPSHOT_FILE: fileOf(node) };
    const r = mustSucceed('snapshot-taker', await bundle(ctx, 'snapshot-taker', env, node, { pinned }));
    return { ...measure(r), ...progressOf(r) };
  };
  const runPeer = (pinned) => async () => {
    const args = ['-sS', '-f', '-o', peerFile, '-H', `X-Vault-Token: ${token}`, `${ctx.vault.url}/v1/sys/storage/raft/snapshot`];
    const r = measure(mustSucceed('curl -o', await peerCommand(ctx, 'curl', args, { pinned })));
    rmSync(peerFile, { force: true });
    return r;
  };
  const first = ctx.nodes[0];
  const out = { file: fileOf(first) };
  if (!ctx.steps.has('taker')) {
    // Only the archive is needed (for the upload or the fetch): one untimed run.
    await runOurs(first, false)();
  } else {
    const results = await ordered(ctx, [...ctx.nodes.map((n) => runOurs(n, false)), runPeer(false)]);
    Object.assign(out, { ours: perNode(ctx, results), peer: results.at(-1) });
    if (ctx.pin) {
      const pinned = await withProducerPinned(ctx.vaultPid, () => ordered(ctx, [...ctx.nodes.map((n) => runOurs(n, true)), runPeer(true)]));
      out.pinned = { ours: perNode(ctx, pinned), peer: pinned.at(-1) };
    }
  }
  for (const n of ctx.nodes.slice(1)) {
    rmSync(fileOf(n), { force: true });
    rmSync(`${fileOf(n)}.json`, { force: true });
  }
  out.bytes = JSON.parse(readFileSync(`${out.file}.json`, 'utf8')).bytes;
  if (ctx.steps.has('taker') || ctx.steps.has('fetcher')) out.floor = await measureFloor(ctx, out.file);
  return out;
}

/** s3-uploader (upload, verify, server-side latest) on each Node vs `aws s3 cp` of the same file twice. */
export async function upload(ctx, { file }) {
  const runOurs = (node) => async () => {
    const r = mustSucceed('s3-uploader', await bundle(ctx, 's3-uploader', { ...s3Env(ctx), SNAPSHOT_FILE: file }, node));
    return { ...measure(r), ...progressOf(r), ...integrityOf(r) };
  };
  if (!ctx.steps.has('uploader')) {
    // The fetcher reads what the uploader stored (its object and `latest`): one untimed run.
    await runOurs(ctx.nodes[0])();
    return {};
  }
  const runPeer = async () => {
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const first = mustSucceed('aws s3 cp', await aws(ctx, ['s3', 'cp', '--only-show-errors', file, `s3://${ctx.bucket}/peer/vault_${stamp}.snap`]));
    const second = mustSucceed('aws s3 cp (latest)', await aws(ctx, ['s3', 'cp', '--only-show-errors', file, `s3://${ctx.bucket}/peer/latest.snap`]));
    return measure(first, second);
  };
  const results = await ordered(ctx, [...ctx.nodes.map(runOurs), runPeer]);
  return { ours: perNode(ctx, results), peer: results.at(-1) };
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
