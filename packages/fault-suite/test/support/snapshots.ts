import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { gzipBuffer, sampleState, sha256Hex, snapshotEntries, tarBuffer } from '@vault-raft-backup/testkit';
import { fileSha, tree } from './files';
import type { FaultCase } from './ledger';

/** A good snapshot from an earlier run, left at SNAPSHOT_FILE: a failed run must not touch it. */
export interface PreviousBackup {
  file: string;
  sha: string;
  sidecarSha: string;
}

/** Writes a valid earlier snapshot and its sidecar at `dir/name`. */
export function previousBackup(dir: string, name = 'vault.snap'): PreviousBackup {
  const file = join(dir, name);
  const bytes = gzipBuffer(tarBuffer(snapshotEntries({ meta: { index: 7, term: 2 }, state: sampleState(2048, 'previous') })));
  writeFileSync(file, bytes, { mode: 0o600 });
  const record = { sha256: sha256Hex(bytes), bytes: bytes.length, index: 7, term: 2, takenAt: '2026-11-28T03:00:00.000Z', source: 'http://vault-active:8200' };
  writeFileSync(`${file}.json`, `${JSON.stringify(record, null, 2)}\n`);
  return { file, sha: fileSha(file), sidecarSha: fileSha(`${file}.json`) };
}

/** Checks that the earlier snapshot and sidecar are byte-identical and nothing else (no temp file) is in its folder. */
export function expectPreviousIntact(f: FaultCase, dir: string, prev: PreviousBackup): void {
  f.intact('previous snapshot unchanged', fileSha(prev.file) === prev.sha);
  f.intact('previous sidecar unchanged', fileSha(`${prev.file}.json`) === prev.sidecarSha);
  const names = tree(dir);
  f.intact(`no temp or partial file left (found ${names.join(', ')})`, names.length === 2);
}

/** A free TCP port on 127.0.0.1 (nothing listens on it afterwards). */
export async function freePort(): Promise<number> {
  const server: Server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

/** A TCP forwarder from `port` to `target` (a Vault that "finishes starting" once this listens). */
export async function forward(port: number, target: string): Promise<() => Promise<void>> {
  const url = new URL(target);
  const { connect } = await import('node:net');
  const sockets = new Set<import('node:net').Socket>();
  const server = createServer((inbound) => {
    const outbound = connect(Number(url.port), url.hostname);
    sockets.add(inbound).add(outbound);
    inbound.pipe(outbound).pipe(inbound);
    inbound.on('error', () => outbound.destroy());
    outbound.on('error', () => inbound.destroy());
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => server.close(() => r()));
  };
}

/** Deterministic pseudo-random numbers in [0, 1) (mulberry32), so a failing offset can be replayed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
