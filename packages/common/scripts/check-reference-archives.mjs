#!/usr/bin/env node
// Manual check: runs the snapshot verifier over the raft-snapshot library's own testdata tars (gzipped in
// memory, requireSealed false) and prints file -> expected -> got. Exit 1 on any mismatch.
// Usage (from packages/common): node scripts/check-reference-archives.mjs [testdata-dir]
import { readdirSync, readFileSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dataDir = resolve(process.argv[2] ?? join(packageDir, '../../../shared/reference/raft-snapshot-testdata'));

/** What the library's tests expect, and how our message says the same. */
const EXPECTED = {
  'spaces-meta.tar': { expected: 'valid', match: null },
  'empty.tar': { expected: 'invalid: no entries', match: /no entries/ },
  'extra.tar': { expected: 'invalid: unexpected file "nope"', match: /^unexpected file "nope" in snapshot$/ },
  'missing-meta.tar': { expected: 'invalid: hash check failed for "meta.json"', match: /^hash check failed for "meta\.json"/ },
  'missing-state.tar': { expected: 'invalid: hash check failed for "state.bin"', match: /^hash check failed for "state\.bin"/ },
  'missing-sha.tar': { expected: 'invalid: SHA256SUMS file missing', match: /^SHA256SUMS file missing/ },
  'corrupt-meta.tar': { expected: 'invalid: hash check failed for "meta.json"', match: /^hash check failed for "meta\.json"$/ },
  'corrupt-state.tar': { expected: 'invalid: hash check failed for "state.bin"', match: /^hash check failed for "state\.bin"$/ },
  'corrupt-sha.tar': { expected: 'invalid: list missing hash for "nope"', match: /unexpected file "nope" \(list missing hash for it\)$/ },
};

async function loadVerifier() {
  const out = await build({ entryPoints: [join(packageDir, 'src/snapshot/index.ts')], bundle: true, platform: 'node', format: 'cjs', write: false, logLevel: 'error' });
  const dir = mkdtempSync(join(tmpdir(), 'check-reference-'));
  const file = join(dir, 'snapshot.cjs');
  writeFileSync(file, out.outputFiles[0].text);
  try {
    return createRequire(import.meta.url)(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function verdict(SnapshotVerifier, archive) {
  const verifier = new SnapshotVerifier({ requireSealed: false });
  try {
    await pipeline(Readable.from([archive]), verifier, new Writable({ write: (_c, _e, cb) => cb() }));
    const info = await verifier.result;
    return { ok: true, text: `valid (Index ${info.index}, Term ${info.term}, Size ${info.stateBytes}, ID ${info.id})` };
  } catch (err) {
    return { ok: false, message: err.message, text: `invalid: ${err.message} [${err.code}]` };
  }
}

async function main() {
  const { SnapshotVerifier } = await loadVerifier();
  const files = readdirSync(dataDir).filter((f) => f.endsWith('.tar')).sort();
  const names = [...new Set([...files, ...Object.keys(EXPECTED)])].sort();
  let failures = 0;
  const rows = [['file', 'expected', 'got', 'result']];
  for (const name of names) {
    const want = EXPECTED[name];
    const got = files.includes(name) ? await verdict(SnapshotVerifier, gzipSync(readFileSync(join(dataDir, name)))) : { ok: false, text: 'file not found' };
    const pass = want !== undefined && files.includes(name) && (want.match === null ? got.ok : !got.ok && want.match.test(got.message));
    if (!pass) failures++;
    rows.push([name, want?.expected ?? '(no expectation)', got.text, pass ? 'ok' : 'MISMATCH']);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  for (const row of rows) console.log(row.map((cell, i) => cell.padEnd(widths[i])).join('  ').trimEnd());
  console.log(`\n${names.length - failures} passed, ${failures} failed (${dataDir})`);
  process.exitCode = failures === 0 ? 0 : 1;
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
