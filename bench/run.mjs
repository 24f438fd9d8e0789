#!/usr/bin/env node
// Benchmark: our bundles (on Node 24 and Node 20) against curl and the aws CLI, on loopback, with the Vault test double
// serving a high-entropy snapshot and s3rver as the store. Usage:
//   npm run bench [-- <sizes...>] [--runs N] [--node 24,20|PATH,...] [--steps cold,taker,uploader,fetcher,restore,pinned] [--cold-runs N]
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, UNITS } from './lib/args.mjs';
import { coldStarts, hasCompileCache } from './lib/cold-start.mjs';
import { coldTable } from './lib/cold-report.mjs';
import { estimate } from './lib/estimate.mjs';
import { floorsOf, floorTable } from './lib/floor-report.mjs';
import { peakRss, rssTable } from './lib/memory-report.mjs';
import { resolveNodes } from './lib/nodes.mjs';
import { canPin } from './lib/pinning.mjs';
import { startServer } from './lib/proc.mjs';
import { progressTable, rowsOf, table } from './lib/report.mjs';
import { cleanIteration, fetchForRestore, restoreUpload } from './lib/restore-steps.mjs';
import { login, snapshot, upload } from './lib/steps.mjs';
import { targets, targetsTable } from './lib/targets.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..');
const VAULT_DOUBLE = join(root, 'packages', 'testkit', 'dist', 'vault-double.js');
const ENTRYPOINTS = ['approle-login', 'kubernetes-login', 'snapshot-taker', 's3-uploader', 'restore-fetcher', 'restore-runner'];
/** Run against the doubles; kubernetes-login only has its cold start measured (it needs a cluster's token review). */
const MEASURED = ['approle-login', 'snapshot-taker', 's3-uploader', 'restore-fetcher', 'restore-runner'];
const SIZED_STEPS = ['taker', 'uploader', 'fetcher', 'restore'];
const BUCKET = 'vault-backups';

const firstLine = (cmd, args) => {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim().split('\n')[0];
  } catch {
    return undefined;
  }
};
const loadAverage = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

function machine(nodes) {
  return {
    cpu: cpus()[0]?.model,
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / UNITS.GiB),
    nodes: Object.fromEntries(nodes.map((n) => [n.label, { version: n.version, path: n.path }])),
    curl: firstLine('curl', ['--version']),
    aws: firstLine('aws', ['--version']),
    openssl: firstLine('openssl', ['version']),
    zstd: firstLine('zstd', ['--version']),
    loadAverageAtStart: loadAverage(),
  };
}

function bundles() {
  const found = {};
  for (const name of ENTRYPOINTS) {
    const file = join(root, 'packages', name, 'dist', `${name}.cjs`);
    if (!existsSync(file)) throw new Error(`packages/${name}/dist/${name}.cjs is missing: run npm run build`);
    found[name] = file;
  }
  return found;
}

function awsEnv(work, s3) {
  const config = join(work, 'aws-config');
  // Path-style for s3rver; checksums only when required, as our client does (s3rver keeps aws-chunked framing in objects).
  writeFileSync(config, '[default]\nregion = us-east-1\nrequest_checksum_calculation = when_required\nresponse_checksum_validation = when_required\ns3 =\n    addressing_style = path\n');
  return { ...process.env, AWS_CONFIG_FILE: config, AWS_SHARED_CREDENTIALS_FILE: join(work, 'no-credentials'), AWS_ACCESS_KEY_ID: s3.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.secretAccessKey, AWS_DEFAULT_REGION: s3.region };
}

function checkDisk(work, bytes, nodeCount) {
  const fs = statfsSync(work);
  const free = fs.bavail * fs.bsize;
  // At the peak: the taker's archive, s3rver's objects (each uploader run and the peer store two), a fetched copy, a
  // peer's copy or state.bin extracted for the floor, the double's restore temp file, and one spare.
  const need = bytes * (5 + 2 * (nodeCount + 1));
  if (free < need) throw new Error(`not enough free disk for ${Math.round(bytes / UNITS.GiB)} GiB runs: ${Math.round(free / UNITS.GiB)} GiB free, about ${Math.round(need / UNITS.GiB)} GiB needed`);
}

async function runSize(base, size, runs, log) {
  const vault = await startServer(VAULT_DOUBLE, { env: { ...process.env, VAULT_DOUBLE_FILLER_BYTES: String(size.bytes), VAULT_DOUBLE_APPROLE_ROLE: 'vault-raft-backup', VAULT_DOUBLE_RESTORE_DELAY_MS: '50' } });
  const iterations = [];
  let bytes = 0;
  try {
    for (let iteration = 0; iteration < runs; iteration++) {
      const ctx = { ...base, vault: vault.info, vaultPid: vault.pid, iteration };
      log(`  ${size.label} run ${iteration + 1}/${runs}: ${[...ctx.steps].filter((s) => s !== 'cold').join(', ')} on ${ctx.nodes.map((n) => n.label).join(', ')}`);
      const auth = await login(ctx);
      const snap = await snapshot(ctx, auth);
      bytes = snap.bytes;
      const up = await upload(ctx, snap);
      const fetch = await fetchForRestore(ctx, snap);
      const restore = await restoreUpload(ctx, fetch);
      const { file: _f, ...snapshotRuns } = snap;
      const { file: _g, ...fetchRuns } = fetch;
      iterations.push({ login: { ours: auth.ours, peer: auth.peer }, snapshot: snapshotRuns, upload: up, fetch: fetchRuns, restore });
      await cleanIteration(ctx);
    }
  } finally {
    await vault.stop();
  }
  return { bytes, iterations };
}

async function runSizes(opts, ctx, log) {
  const s3 = await startServer(join(root, 'packages', 'testkit', 'dist', 's3-server.js'), { args: [BUCKET] });
  const base = { ...ctx, s3: s3.info, s3Pid: s3.pid, awsEnv: awsEnv(ctx.work, s3.info) };
  const sizes = [];
  try {
    for (const size of opts.sizes) {
      checkDisk(ctx.work, size.bytes, ctx.nodes.length);
      sizes.push({ size: size.label, ...(await runSize(base, size, opts.runs, log)) });
    }
  } finally {
    await s3.stop();
  }
  return sizes;
}

function report(log, { sizes, nodes, cold, pin }) {
  const rows = sizes.flatMap((s) => rowsOf(s.size, s.bytes, s.iterations, nodes));
  const floors = sizes.flatMap((s) => floorsOf(s.size, s.bytes, s.iterations, nodes));
  const peaks = peakRss(sizes, nodes);
  const section = (title, body) => body && log(`\n${title}\n\n${body}`);
  if (rows.length) section('Steps (best of each side; peak RSS the highest of all runs):', table(rows));
  if (rows.length) section('Progress lines of our processes in their best run:', progressTable(rows));
  if (floors.length) section(`snapshot-taker and restore-fetcher against the floor (CPU) and curl (wall${pin ? '' : '; pinned arrangement not run'}):`, floorTable(floors));
  if (peaks.length) section('Peak RSS per Node (MiB, highest of all runs):', rssTable(peaks, sizes));
  for (const node of nodes) {
    for (const cache of [false, true]) section(`Cold start on ${node.label} (${node.version})${cache ? ' with NODE_COMPILE_CACHE (fresh directory, filled by one run)' : ''}:`, cold && coldTable(cold, node.label, cache));
  }
  const list = targets({ floors, rows, cold: cold ?? [], peaks, nodes });
  section('Targets:', targetsTable(list));
  return { rows, floors, peaks, targets: list };
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const log = (line) => process.stdout.write(`${line}\n`);
  const found = bundles();
  const nodes = resolveNodes(opts.nodes, root);
  const steps = new Set(opts.steps);
  const pin = steps.has('pinned') && canPin();
  const info = machine(nodes);
  log(`vault-raft-backup bench: ${info.cores} cores (${info.cpu}), ${info.memoryGiB} GiB, load ${info.loadAverageAtStart}`);
  log(`  bundles on ${nodes.map((n) => `${n.label} ${n.version} (${n.path})`).join(', ')}`);
  log(`  peers: ${info.curl}; ${info.aws ?? 'aws CLI not found'}; ${info.openssl}; ${info.zstd}`);
  if (steps.has('pinned') && !pin) log('  pinned arrangement skipped: taskset or a second core is missing');
  const est = estimate(opts, nodes, { pin, cacheNodes: nodes.filter(hasCompileCache).length });
  log(`  steps ${opts.steps.join(', ')}; sizes ${opts.sizes.map((s) => s.label).join(', ')} x ${opts.runs} runs`);
  log(`  estimated work: ${est.bundleRuns} bundle runs and ${est.peerRuns} peer runs over ${est.gib} GiB of snapshot each, ${est.coldRuns} cold starts; about ${Math.ceil(est.seconds / 60)} min on an idle 2-core machine`);
  mkdirSync(join(here, 'work'), { recursive: true });
  const work = mkdtempSync(join(here, 'work', 'run-'));
  const started = Date.now();
  let cold;
  let sizes = [];
  try {
    if (steps.has('cold')) {
      log(`  cold start: ${opts.coldRuns} rounds`);
      cold = coldStarts(nodes, found, work, { runs: opts.coldRuns });
    }
    if (SIZED_STEPS.some((s) => steps.has(s))) {
      const measured = Object.fromEntries(MEASURED.map((n) => [n, found[n]]));
      const baseEnv = { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'info', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
      sizes = await runSizes(opts, { nodes, steps, pin, bundles: measured, work, bucket: BUCKET, vaultServer: VAULT_DOUBLE, baseEnv }, log);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  info.loadAverageAtEnd = loadAverage();
  info.minutes = Math.round((Date.now() - started) / 6000) / 10;
  log(`\nload average at the end ${info.loadAverageAtEnd}; ${info.minutes} min`);
  const summary = report(log, { sizes, nodes, cold, pin });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const out = join(here, 'results', `bench-${stamp}.json`);
  mkdirSync(dirname(out), { recursive: true });
  const options = { runs: opts.runs, coldRuns: opts.coldRuns, steps: opts.steps, pinned: pin, sizes: opts.sizes.map((s) => s.label) };
  writeFileSync(out, `${JSON.stringify({ date: new Date().toISOString(), machine: info, options, estimate: est, ...summary, coldStart: cold, sizes }, null, 2)}\n`);
  log(`\nwritten ${out}`);
}

main().catch((err) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
