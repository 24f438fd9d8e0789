import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { authorize } from './acl';
import { decrypt } from './crypto';
import { type Ctx, HttpError, type Reply } from './http-util';
import { READ, type Route, WRITE } from './route';
import { scheduleRestore } from './restore-apply';
import { type ReadSnapshot, readSnapshotFile } from './snapshot-reader';
import { snapshotArchive } from './snapshot-writer';

/** internal/vault/logical_system_raft.go `handleStorageRaftSnapshotWrite`: the 400 of a non-force restore that fails the sealed-hash check. */
export const FOREIGN_SNAPSHOT_MESSAGE = 'could not verify hash file, possibly the snapshot is using a different set of unseal keys; use the snapshot-force API to bypass this check';
export const FOREIGN_AUTOSEAL_MESSAGE = 'could not verify hash file, possibly the snapshot is using a different autoseal key; use the snapshot-force API to bypass this check';

function waitWritable(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

const WRITE_CHUNK = 256 * 1024;

/** gzip's small output chunks joined into writes of at least 256 KiB. */
async function* coalesce(source: Readable): AsyncGenerator<Buffer> {
  let parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of source as AsyncIterable<Buffer>) {
    parts.push(chunk);
    size += chunk.length;
    if (size >= WRITE_CHUNK) {
      yield Buffer.concat(parts, size);
      parts = [];
      size = 0;
    }
  }
  if (size > 0) yield Buffer.concat(parts, size);
}

/** Writes the archive with backpressure, applying the cut/stall faults to body bytes. */
async function streamArchive(res: ServerResponse, archive: Readable, limit: number | undefined, cut: boolean): Promise<void> {
  let sent = 0;
  for await (const chunk of coalesce(archive)) {
    if (res.destroyed) break;
    if (limit !== undefined && sent + chunk.length >= limit) {
      res.write(chunk.subarray(0, limit - sent), () => {
        // destroySoon flushes what was written, then closes: the client sees a body cut mid-chunk.
        if (cut) res.socket?.destroySoon();
      });
      break;
    }
    sent += chunk.length;
    if (!res.write(chunk)) await waitWritable(res);
  }
  archive.destroy();
  if (limit === undefined && !res.destroyed) res.end();
}

/**
 * `GET sys/storage/raft/snapshot`: raft sizes the archive by walking the FSM before the first byte
 * (internal/physical/raft/snapshot.go `openFromFSM`), held here for `snapshotFirstByteMs`; then streamed, chunked.
 */
async function snapshotGet(ctx: Ctx): Promise<Reply> {
  authorize(ctx, 'sys/storage/raft/snapshot', ['read']);
  const { cluster } = ctx;
  const { faults } = cluster;
  await cluster.sleep(cluster.options.snapshotFirstByteMs ?? 0);
  if (ctx.res.destroyed) return undefined;
  const archive = snapshotArchive(cluster.snapshotSource(ctx.node));
  cluster.stats.snapshotsServed += 1;
  ctx.res.writeHead(200, { 'Content-Type': faults.snapshotContentType ?? 'application/gzip', 'Content-Disposition': 'attachment' });
  const cut = faults.cutSnapshotAfterBytes;
  await streamArchive(ctx.res, archive, cut ?? faults.stallSnapshotAfterBytes, cut !== undefined);
  return undefined;
}

/** Non-force restores must come from a cluster whose seal can open SHA256SUMS.sealed (the message names the seal family). */
function checkSealedSums(ctx: Ctx, snap: ReadSnapshot): void {
  const { cluster } = ctx;
  const sealKey = cluster.shamir ? ctx.node.sealKey : cluster.kmsKey();
  let same = false;
  try {
    same = sealKey !== undefined && snap.sealed !== undefined && decrypt(sealKey, snap.sealed).equals(snap.sums);
  } catch {
    same = false;
  }
  if (!same) throw new HttpError(400, [cluster.shamir ? FOREIGN_SNAPSHOT_MESSAGE : FOREIGN_AUTOSEAL_MESSAGE]);
}

async function readUpload(ctx: Ctx, file: string): Promise<ReadSnapshot> {
  await pipeline(ctx.req, createWriteStream(file, { highWaterMark: 1024 * 1024 }));
  const fail = ctx.cluster.faults.restoreFails;
  if (fail === 'sealed') throw new HttpError(503, ['Vault is sealed']);
  if (fail === '500') throw new HttpError(500, ['failed to restore snapshot: internal error']);
  try {
    return await readSnapshotFile(file);
  } catch (err) {
    throw new HttpError(500, [`failed to read snapshot file: ${(err as Error).message}`]);
  }
}

/**
 * `POST sys/storage/raft/snapshot[-force]`: the upload goes to a temp file and is checked, answered 204, and
 * applied in the background (restore-apply.ts).
 */
async function snapshotPost(ctx: Ctx, force: boolean): Promise<Reply> {
  authorize(ctx, force ? 'sys/storage/raft/snapshot-force' : 'sys/storage/raft/snapshot', ['update']);
  const file = join(tmpdir(), `vault-double-restore-${randomUUID()}.snap`);
  try {
    const snap = await readUpload(ctx, file);
    if (!force) checkSealedSums(ctx, snap);
    const { cluster } = ctx;
    cluster.stats.restoresAccepted += 1;
    scheduleRestore(cluster, ctx.node, snap);
    return { status: 204 };
  } finally {
    await rm(file, { force: true });
  }
}

/** Raft snapshot save and restore. */
export const raftRoutes: Route[] = [
  { methods: READ, pattern: /^sys\/storage\/raft\/snapshot$/, handle: snapshotGet },
  { methods: WRITE, pattern: /^sys\/storage\/raft\/snapshot$/, handle: (ctx) => snapshotPost(ctx, false) },
  { methods: WRITE, pattern: /^sys\/storage\/raft\/snapshot-force$/, handle: (ctx) => snapshotPost(ctx, true) },
];
