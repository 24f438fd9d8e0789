import { createHash } from 'node:crypto';
import { pipeline, Readable } from 'node:stream';
import { createGzip, gzipSync } from 'node:zlib';
import { fakeSeal, metaJson, type SnapshotMeta, sha256Hex, sha256sums, sha256sumsFromHashes } from './meta-json';
import { type TarEntry, tarEnd, tarHeader, tarPadding } from './tar';

/** How the SHA256SUMS.sealed entry is made: a function of SHA256SUMS, or `false` to leave it out. */
export type SealOption = ((sha256sums: Buffer) => Buffer) | false;

/** Options of snapshotArchiveStream. */
export interface SnapshotArchiveStreamOptions {
  meta: SnapshotMeta;
  state: { size: number; stream: () => Readable };
  /** Default: a non-empty fake seal. */
  sealed?: SealOption;
  /** Default 1: fast; the level does not change what a reader sees. */
  gzipLevel?: number;
}

/** Options of snapshotArchiveBuffer. */
export interface SnapshotArchiveBufferOptions {
  meta: SnapshotMeta;
  state: Buffer;
  sealed?: SealOption;
  gzipLevel?: number;
}

function* entryBytes(name: string, data: Buffer): Generator<Buffer> {
  yield tarHeader(name, data.length);
  yield data;
  yield tarPadding(data.length);
}

async function* snapshotTar(opts: SnapshotArchiveStreamOptions): AsyncGenerator<Buffer> {
  const { size } = opts.state;
  const meta = metaJson(opts.meta, size);
  yield* entryBytes('meta.json', meta);
  yield tarHeader('state.bin', size);
  const hash = createHash('sha256');
  let seen = 0;
  for await (const chunk of opts.state.stream()) {
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
    seen += bytes.length;
    if (seen > size) throw new Error(`state stream gave more than the announced ${size} bytes`);
    hash.update(bytes);
    yield bytes;
  }
  if (seen !== size) throw new Error(`state stream gave ${seen} bytes, expected ${size}`);
  yield tarPadding(size);
  const sums = sha256sumsFromHashes({ 'meta.json': sha256Hex(meta), 'state.bin': hash.digest('hex') });
  yield* entryBytes('SHA256SUMS', sums);
  const seal = opts.sealed ?? fakeSeal;
  if (seal !== false) yield* entryBytes('SHA256SUMS.sealed', seal(sums));
  yield tarEnd();
}

/**
 * gzip(tar(meta.json, state.bin, SHA256SUMS, SHA256SUMS.sealed)) as a stream, in the order Vault writes them;
 * state is read once and hashed while it streams.
 */
export function snapshotArchiveStream(opts: SnapshotArchiveStreamOptions): Readable {
  const gzip = createGzip({ level: opts.gzipLevel ?? 1 });
  // Errors of the state stream reach the consumer because pipeline destroys gzip with them.
  return pipeline(Readable.from(snapshotTar(opts)), gzip, () => {});
}

/** A whole snapshot archive in memory (for small test snapshots only). */
export async function snapshotArchiveBuffer(opts: SnapshotArchiveBufferOptions): Promise<Buffer> {
  const { state, ...rest } = opts;
  const chunks: Buffer[] = [];
  const stream = snapshotArchiveStream({ ...rest, state: { size: state.length, stream: () => Readable.from([state]) } });
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The tar entries of a valid snapshot (meta.json, state.bin, SHA256SUMS, SHA256SUMS.sealed), to rearrange or corrupt. */
export function snapshotEntries(opts: { meta: SnapshotMeta; state: Buffer; sealed?: SealOption }): TarEntry[] {
  const meta = metaJson(opts.meta, opts.state.length);
  const sums = sha256sums({ 'meta.json': meta, 'state.bin': opts.state });
  const entries: TarEntry[] = [
    { name: 'meta.json', data: meta },
    { name: 'state.bin', data: opts.state },
    { name: 'SHA256SUMS', data: sums },
  ];
  const seal = opts.sealed ?? fakeSeal;
  if (seal !== false) entries.push({ name: 'SHA256SUMS.sealed', data: seal(sums) });
  return entries;
}

/** gzip of a buffer (default level). */
export function gzipBuffer(b: Buffer): Buffer {
  return gzipSync(b);
}
