import { gzipBuffer, MALFORMED_KINDS, malformedArchive, metaJson, sampleState, sha256sums, tarBuffer } from '@vault-raft-backup/testkit';

/** A file that must never be taken for a snapshot, named for messages. */
export interface BadArchive {
  name: string;
  bytes: Buffer;
}

/** meta.json of 4 MiB (Vault allows 8 KiB): the verifier must refuse it without holding it. */
function hugeMeta(): Buffer {
  const state = sampleState();
  const plain = metaJson({ index: 9, term: 2 }, state.length);
  const meta = Buffer.concat([plain.subarray(0, plain.length - 2), Buffer.alloc(4 * 1024 * 1024, 0x20), Buffer.from('}\n')]);
  return gzipBuffer(tarBuffer([{ name: 'meta.json', data: meta }, { name: 'state.bin', data: state }, { name: 'SHA256SUMS', data: sha256sums({ 'meta.json': meta, 'state.bin': state }) }]));
}

/** Every bad input of the suite: empty, not gzip, gzip of something else, the raft library's malformed shapes, huge meta.json. */
export function badArchives(): BadArchive[] {
  return [
    { name: 'empty file', bytes: Buffer.alloc(0) },
    { name: 'not gzip', bytes: Buffer.from('this is not a raft snapshot\n'.repeat(64)) },
    { name: 'gzip of something else', bytes: gzipBuffer(Buffer.from('{"hello":"world"}\n'.repeat(64))) },
    ...MALFORMED_KINDS.filter((k) => k !== 'spaces-meta').map((k) => ({ name: `malformed: ${k}`, bytes: malformedArchive(k) })),
    { name: 'huge meta.json (4 MiB)', bytes: hugeMeta() },
  ];
}

/** The valid-but-unusual archive of the library's testdata: every consumer must accept it. */
export function spacesMeta(): BadArchive {
  return { name: 'spaces-meta (valid control)', bytes: malformedArchive('spaces-meta') };
}

/** Runs `fn` over `items` with at most `n` at a time. */
export async function pool<T>(items: readonly T[], n: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (next < items.length) {
        const item = items[next++] as T;
        await fn(item);
      }
    }),
  );
}

/** The codes a refused archive may end with. */
export const REFUSED = /^SNAPSHOT_(INVALID|INCOMPLETE)$/;
