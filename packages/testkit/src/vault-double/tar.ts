/** Minimal ustar reading: regular files only, which is all a raft snapshot holds. */
export const BLOCK = 512;

/** Name and size of a header block; undefined for a zero block. @throws Error on a bad checksum. */
export function parseTarHeader(block: Buffer): { name: string; size: number; type: string } | undefined {
  if (block.every((b) => b === 0)) return undefined;
  const field = (start: number, len: number) => block.subarray(start, start + len).toString('utf8').replace(/\0.*$/s, '');
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : (block[i] ?? 0);
  if (Number.parseInt(field(148, 8).trim(), 8) !== sum) throw new Error('archive/tar: invalid tar header');
  const prefix = field(345, 155);
  const name = prefix ? `${prefix}/${field(0, 100)}` : field(0, 100);
  return { name, size: Number.parseInt(field(124, 12).trim() || '0', 8), type: field(156, 1) || '0' };
}
