const BLOCK = 512;
/** Largest size the 11-digit octal field holds; larger sizes use GNU base-256 like Go's writer. */
const MAX_OCTAL = 0o77777777777;

/** One file of a tar archive. */
export interface TarEntry {
  name: string;
  data: Buffer;
}

function writeOctal(block: Buffer, offset: number, length: number, value: number): void {
  block.write(`${value.toString(8).padStart(length - 1, '0')}\0`, offset, length, 'ascii');
}

function writeSize(block: Buffer, size: number): void {
  if (size <= MAX_OCTAL) {
    writeOctal(block, 124, 12, size);
    return;
  }
  let rest = BigInt(size);
  for (let i = 11; i >= 1; i--) {
    block[124 + i] = Number(rest & 0xffn);
    rest >>= 8n;
  }
  block[124] = 0x80;
}

/** A ustar header block for a regular file (mode 0600), as Go's archive/tar writes it. */
export function tarHeader(name: string, size: number, type = '0'): Buffer {
  const block = Buffer.alloc(BLOCK);
  if (Buffer.byteLength(name) > 100) throw new Error(`tar name too long for a ustar header: ${name}`);
  block.write(name, 0, 100, 'utf8');
  writeOctal(block, 100, 8, 0o600);
  writeOctal(block, 108, 8, 0);
  writeOctal(block, 116, 8, 0);
  writeSize(block, size);
  writeOctal(block, 136, 12, Math.floor(Date.UTC(2024, 0, 1) / 1000));
  block.write(type, 156, 1, 'ascii');
  block.write('ustar\x0000', 257, 8, 'ascii');
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'ascii');
  return block;
}

/** Zero bytes that pad an entry of `size` bytes to the next 512-byte block. */
export function tarPadding(size: number): Buffer {
  return Buffer.alloc((BLOCK - (size % BLOCK)) % BLOCK);
}

/** The two zero blocks that end a tar archive. */
export function tarEnd(): Buffer {
  return Buffer.alloc(2 * BLOCK);
}

/** Tar entries → tar bytes (mode 0600, ustar headers, end-of-archive marker). */
export function tarBuffer(entries: TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const entry of entries) {
    parts.push(tarHeader(entry.name, entry.data.length), entry.data, tarPadding(entry.data.length));
  }
  parts.push(tarEnd());
  return Buffer.concat(parts);
}
