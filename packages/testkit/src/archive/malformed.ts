import { createHash } from 'node:crypto';
import { fakeSeal, metaJson, sha256sums } from './meta-json';
import { gzipBuffer, snapshotEntries } from './snapshot-archive';
import { type TarEntry, tarBuffer } from './tar';

/** Malformed variants mirroring the raft-snapshot library's testdata (spaces-meta is the valid one). */
export type MalformedKind =
  | 'empty'
  | 'extra'
  | 'missing-meta'
  | 'missing-state'
  | 'missing-sha'
  | 'corrupt-meta'
  | 'corrupt-state'
  | 'corrupt-sha'
  | 'spaces-meta';

/** Every kind, for table-driven tests. */
export const MALFORMED_KINDS: readonly MalformedKind[] = [
  'empty',
  'extra',
  'missing-meta',
  'missing-state',
  'missing-sha',
  'corrupt-meta',
  'corrupt-state',
  'corrupt-sha',
  'spaces-meta',
];

/** Deterministic state.bin content of the given size. */
export function sampleState(size = 4518, seed = 'state'): Buffer {
  const parts: Buffer[] = [];
  let block = createHash('sha256').update(seed).digest();
  for (let n = 0; n < size; n += block.length) {
    parts.push(block);
    block = createHash('sha256').update(block).digest();
  }
  return Buffer.concat(parts).subarray(0, size);
}

function without(entries: TarEntry[], name: string): TarEntry[] {
  return entries.filter((e) => e.name !== name);
}

function replaced(entries: TarEntry[], name: string, data: (old: Buffer) => Buffer): TarEntry[] {
  return entries.map((e) => (e.name === name ? { name, data: data(e.data) } : e));
}

function flipLastByte(b: Buffer): Buffer {
  const copy = Buffer.from(b);
  copy[copy.length - 1] = (copy[copy.length - 1] ?? 0) ^ 0xff;
  return copy;
}

/** Valid, but meta.json padded with spaces and the entries in the order meta.json, SHA256SUMS, state.bin. */
function spacesMeta(): TarEntry[] {
  const state = sampleState();
  const plain = metaJson({ index: 10, term: 2 }, state.length);
  const meta = Buffer.concat([plain.subarray(0, plain.length - 2), Buffer.alloc(256, 0x20), Buffer.from('}\n')]);
  const sums = sha256sums({ 'meta.json': meta, 'state.bin': state });
  return [
    { name: 'meta.json', data: meta },
    { name: 'SHA256SUMS', data: sums },
    { name: 'state.bin', data: state },
    { name: 'SHA256SUMS.sealed', data: fakeSeal(sums) },
  ];
}

function malformedEntries(kind: MalformedKind): TarEntry[] {
  const valid = snapshotEntries({ meta: { index: 5, term: 2 }, state: sampleState() });
  switch (kind) {
    case 'empty':
      return [];
    case 'extra':
      return [...valid, { name: 'nope', data: Buffer.alloc(0) }];
    case 'missing-meta':
      return without(valid, 'meta.json');
    case 'missing-state':
      return without(valid, 'state.bin');
    case 'missing-sha':
      return without(valid, 'SHA256SUMS');
    case 'corrupt-meta':
      return replaced(valid, 'meta.json', (m) => Buffer.from(m.toString().replace('"Index":5', '"Index":6')));
    case 'corrupt-state':
      return replaced(valid, 'state.bin', flipLastByte);
    case 'corrupt-sha':
      return replaced(valid, 'SHA256SUMS', (s) => Buffer.concat([s, Buffer.from(`${'b3'.repeat(32)}  nope\n`)]));
    case 'spaces-meta':
      return spacesMeta();
  }
}

/** A gzip'd snapshot archive broken in the given way (or, for 'spaces-meta', valid but unusual). */
export function malformedArchive(kind: MalformedKind): Buffer {
  return gzipBuffer(tarBuffer(malformedEntries(kind)));
}
