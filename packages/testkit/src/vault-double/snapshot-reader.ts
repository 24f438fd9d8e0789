import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { ByteQueue } from './byte-queue';
import { StateReader } from './state-reader';
import type { StorageRecord } from './storage-codec';
import { BLOCK, parseTarHeader } from './tar';

const SMALL_LIMIT = 8192;
const SMALL = new Set(['meta.json', 'SHA256SUMS', 'SHA256SUMS.sealed']);

/** A verified snapshot: its meta, storage records and the sealed hash file (if any). */
export interface ReadSnapshot {
  meta: { Index?: number; Term?: number; Version?: number };
  sums: Buffer;
  sealed: Buffer | undefined;
  records: StorageRecord[];
  fillerBytes: number;
}

interface Entry {
  name: string;
  left: number;
  pad: number;
}

/** Parses tar from gunzipped chunks: small entries kept, state.bin hashed and decoded as it passes. */
class TarParser {
  readonly small = new Map<string, Buffer[]>();
  readonly state = new StateReader();
  readonly hashes = new Map<string, Hash>();
  ended = false;
  private queue = new ByteQueue();
  private entry: Entry | undefined;

  write(chunk: Buffer): void {
    this.queue.push(chunk);
    while (!this.ended) {
      if (!this.entry) {
        if (this.queue.length < BLOCK) return;
        this.startEntry(this.queue.take(BLOCK));
        continue;
      }
      if (this.entry.left === 0) {
        if (this.queue.length < this.entry.pad) return;
        this.queue.take(this.entry.pad);
        this.entry = undefined;
        continue;
      }
      if (this.queue.length === 0) return;
      const data = this.queue.take(Math.min(this.entry.left, this.queue.length));
      this.entry.left -= data.length;
      this.consume(this.entry.name, data);
    }
  }

  private startEntry(block: Buffer): void {
    const header = parseTarHeader(block);
    if (!header) {
      this.ended = true;
      return;
    }
    if (header.name !== 'state.bin' && !SMALL.has(header.name)) throw new Error(`unexpected file "${header.name}" in snapshot`);
    if (SMALL.has(header.name) && header.size > SMALL_LIMIT) throw new Error(`file "${header.name}" is too large`);
    this.hashes.set(header.name, createHash('sha256'));
    this.small.set(header.name, []);
    const rest = header.size % BLOCK;
    this.entry = { name: header.name, left: header.size, pad: rest === 0 ? 0 : BLOCK - rest };
  }

  private consume(name: string, data: Buffer): void {
    this.hashes.get(name)?.update(data);
    if (name === 'state.bin') this.state.write(data);
    else this.small.get(name)?.push(data);
  }

  /** @throws Error when the archive ended inside an entry. */
  finish(): void {
    if (this.entry) throw new Error('unexpected EOF');
    this.state.end();
  }
}

/** Checks SHA256SUMS against the hashes of meta.json and state.bin (hashicorp/raft-snapshot rules). */
function verifySums(sums: Buffer, hashes: Map<string, Hash>): void {
  const listed = new Map<string, string>();
  for (const line of sums.toString().split('\n').filter(Boolean)) {
    const match = /^([0-9a-f]{64}) {2}(.+)$/.exec(line);
    if (!match?.[1] || !match[2]) throw new Error('failed to parse SHA256SUMS');
    listed.set(match[2], match[1]);
  }
  for (const name of ['meta.json', 'state.bin']) {
    const want = listed.get(name);
    if (!want) throw new Error(`list missing hash for "${name}"`);
    if (hashes.get(name)?.digest('hex') !== want) throw new Error(`hash check failed for "${name}"`);
  }
}

function toReadSnapshot(parser: TarParser): ReadSnapshot {
  const part = (name: string) => (parser.small.has(name) ? Buffer.concat(parser.small.get(name) ?? []) : undefined);
  const sums = part('SHA256SUMS');
  if (parser.hashes.size === 0) throw new Error('failed checking integrity of snapshot');
  if (!sums) throw new Error('SHA256SUMS file missing');
  verifySums(sums, parser.hashes);
  const meta = JSON.parse(part('meta.json')?.toString() ?? '{}') as ReadSnapshot['meta'];
  if (meta.Version !== 1) throw new Error(`unsupported snapshot version ${String(meta.Version)}`);
  return { meta, sums, sealed: part('SHA256SUMS.sealed'), records: parser.state.records, fillerBytes: parser.state.fillerBytes };
}

/** Reads and verifies a snapshot file in one streaming pass. @throws Error with a Go-like message when corrupt. */
export async function readSnapshotFile(path: string): Promise<ReadSnapshot> {
  const parser = new TarParser();
  const sink = new Writable({
    highWaterMark: 1024 * 1024,
    write(chunk: Buffer, _enc, done) {
      try {
        parser.write(chunk);
        done();
      } catch (err) {
        done(err as Error);
      }
    },
  });
  try {
    await pipeline(createReadStream(path, { highWaterMark: 1024 * 1024 }), createGunzip({ chunkSize: 256 * 1024 }), sink);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'Z_BUF_ERROR' || code === 'Z_DATA_ERROR') throw new Error(code === 'Z_BUF_ERROR' ? 'unexpected EOF' : 'gzip: invalid header');
    throw err;
  }
  parser.finish();
  return toReadSnapshot(parser);
}
