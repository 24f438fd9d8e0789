import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { constants, createGzip } from 'node:zlib';
import { metaJson, sha256Hex, tarEnd, tarHeader, tarPadding } from '../archive/index';
import { encrypt } from './crypto';
import { encodeRecord, recordHead, type StorageRecord } from './storage-codec';

const FILLER_CHUNK = 1024 * 1024;
const GZIP_CHUNK = 1024 * 1024;

/** What one snapshot is made of. */
export interface SnapshotSource {
  index: number;
  term: number;
  servers: { id: string; address: string }[];
  records: StorageRecord[];
  fillerBytes: number;
  /** Key of this cluster's seal: encrypts SHA256SUMS into SHA256SUMS.sealed. */
  sealKey: Buffer;
}

function fillerSizes(fillerBytes: number): number[] {
  const sizes: number[] = [];
  for (let left = fillerBytes; left > 0; left -= FILLER_CHUNK) sizes.push(Math.min(FILLER_CHUNK, left));
  return sizes;
}

/** state.bin in pieces: the storage records, then filler records of AES-CTR keystream (never held whole). */
function* statePieces(records: StorageRecord[], fillerBytes: number): Generator<Buffer> {
  yield Buffer.concat(records.map(encodeRecord));
  const keystream = createCipheriv('aes-256-ctr', randomBytes(32), randomBytes(16));
  const zeros = Buffer.alloc(FILLER_CHUNK);
  for (const [i, size] of fillerSizes(fillerBytes).entries()) {
    const value = keystream.update(size === FILLER_CHUNK ? zeros : zeros.subarray(0, size));
    yield Buffer.concat([recordHead(`filler/${i}`, size), value]);
  }
}

function stateSize(records: StorageRecord[], fillerBytes: number): number {
  let size = records.reduce((n, r) => n + encodeRecord(r).length, 0);
  for (const [i, s] of fillerSizes(fillerBytes).entries()) size += recordHead(`filler/${i}`, s).length + s;
  return size;
}

async function* tarPieces(src: SnapshotSource): AsyncGenerator<Buffer> {
  const size = stateSize(src.records, src.fillerBytes);
  const meta = metaJson({ index: src.index, term: src.term, configurationIndex: Math.max(1, src.index - 1), servers: src.servers }, size);
  yield Buffer.concat([tarHeader('meta.json', meta.length), meta, tarPadding(meta.length), tarHeader('state.bin', size)]);
  const hash = createHash('sha256');
  for (const piece of statePieces(src.records, src.fillerBytes)) {
    hash.update(piece);
    yield piece;
  }
  const sums = Buffer.from(`${sha256Hex(meta)}  meta.json\n${hash.digest('hex')}  state.bin\n`);
  const sealed = encrypt(src.sealKey, sums);
  yield Buffer.concat([tarPadding(size), tarHeader('SHA256SUMS', sums.length), sums, tarPadding(sums.length)]);
  yield Buffer.concat([tarHeader('SHA256SUMS.sealed', sealed.length), sealed, tarPadding(sealed.length), tarEnd()]);
}

/**
 * The snapshot archive gzip(tar(meta.json, state.bin, SHA256SUMS, SHA256SUMS.sealed)), produced while read.
 * Built from the archive module's tar and meta.json primitives; the gzip stage is ours because large output
 * chunks (1 MiB instead of zlib's 16 KiB) double the throughput of big snapshots.
 */
export function snapshotArchive(src: SnapshotSource): Readable {
  // Filler is incompressible: stored deflate blocks keep large snapshots at hundreds of MB/s (still valid gzip).
  const level = src.fillerBytes > 0 ? constants.Z_NO_COMPRESSION : constants.Z_DEFAULT_COMPRESSION;
  const gzip = createGzip({ level, chunkSize: GZIP_CHUNK });
  const tar = Readable.from(tarPieces(src), { objectMode: false, highWaterMark: 4 * FILLER_CHUNK });
  tar.on('error', (err) => gzip.destroy(err));
  gzip.on('close', () => tar.destroy());
  return tar.pipe(gzip);
}
