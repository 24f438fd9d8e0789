import { invalid } from './snapshot-error';

/** Size of a tar block. */
export const BLOCK = 512;

/** What the reader needs from one tar header block. */
export interface TarHeader {
  name: string;
  size: number;
  type: string;
}

function field(block: Buffer, offset: number, length: number): Buffer {
  const raw = block.subarray(offset, offset + length);
  const nul = raw.indexOf(0);
  return nul === -1 ? raw : raw.subarray(0, nul);
}

function text(block: Buffer, offset: number, length: number): string {
  return field(block, offset, length).toString('utf8');
}

/** Octal (ustar) or base-256 (GNU, for sizes of 8 GiB and more); NaN when neither. */
function numeric(block: Buffer, offset: number, length: number): number {
  const first = block[offset] ?? 0;
  if (first & 0x80) {
    if (first === 0xff) return Number.NaN;
    let value = first & 0x7f;
    for (let i = 1; i < length; i++) value = value * 256 + (block[offset + i] ?? 0);
    return Number.isSafeInteger(value) ? value : Number.NaN;
  }
  const digits = field(block, offset, length).toString('latin1').trim();
  if (digits === '') return 0;
  return /^[0-7]+$/.test(digits) ? Number.parseInt(digits, 8) : Number.NaN;
}

/** The checksum matches as unsigned or (old writers) signed byte sum, checksum field counted as spaces. */
function checksumMatches(block: Buffer): boolean {
  const expected = numeric(block, 148, 8);
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const byte = i >= 148 && i < 156 ? 0x20 : (block[i] ?? 0);
    unsigned += byte;
    signed += byte > 127 ? byte - 256 : byte;
  }
  return expected === unsigned || expected === signed;
}

/** True for an all-zero block (part of the end-of-archive marker). */
export function isZeroBlock(block: Buffer): boolean {
  for (let i = 0; i < BLOCK; i++) if (block[i] !== 0) return false;
  return true;
}

/**
 * Parses one non-zero 512-byte header block at tar offset `offset`.
 * @throws SnapshotError SNAPSHOT_INVALID when the block is not a tar header.
 */
export function parseHeader(block: Buffer, offset: number): TarHeader {
  const size = numeric(block, 124, 12);
  if (!checksumMatches(block) || Number.isNaN(size)) {
    throw invalid(`snapshot is not a valid tar archive: bad header at offset ${offset}`);
  }
  let name = text(block, 0, 100);
  // Only POSIX ustar has the prefix field; GNU keeps other data at that offset.
  if (block.toString('latin1', 257, 263) === 'ustar\0') {
    const prefix = text(block, 345, 155);
    if (prefix !== '') name = `${prefix}/${name}`;
  }
  const type = String.fromCharCode(block[156] ?? 0);
  return { name, size, type: type === '\0' ? '0' : type };
}

/** The `path` and `size` records of a pax extended header (others are ignored). */
export function parsePax(body: Buffer, offset: number): { path?: string; size?: number } {
  const out: { path?: string; size?: number } = {};
  let pos = 0;
  while (pos < body.length) {
    const space = body.indexOf(0x20, pos);
    const length = Number.parseInt(body.toString('latin1', pos, space), 10);
    if (space === -1 || !(length > 0) || pos + length > body.length) {
      throw invalid(`snapshot is not a valid tar archive: bad pax header at offset ${offset}`);
    }
    const record = body.toString('utf8', space + 1, pos + length - 1);
    const eq = record.indexOf('=');
    const key = record.slice(0, eq);
    const value = record.slice(eq + 1);
    if (key === 'path') out.path = value;
    if (key === 'size' && /^\d+$/.test(value)) out.size = Number(value);
    pos += length;
  }
  return out;
}
