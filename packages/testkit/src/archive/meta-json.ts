import { createHash } from 'node:crypto';

/** The raft metadata a test snapshot carries. */
export interface SnapshotMeta {
  index: number;
  term: number;
  configurationIndex?: number;
  servers?: { id: string; address: string; suffrage?: string }[];
}

const SUFFRAGE: Record<string, number> = { Voter: 0, Nonvoter: 1, Staging: 2 };

/** msgpack of the server addresses, like raft's legacy encodePeers (Go []byte → base64 in JSON). */
function encodePeers(addresses: string[]): string {
  const parts: Buffer[] = [Buffer.from([0x90 | Math.min(addresses.length, 15)])];
  for (const address of addresses.slice(0, 15)) {
    const bytes = Buffer.from(address);
    parts.push(bytes.length < 32 ? Buffer.from([0xa0 | bytes.length]) : Buffer.from([0xd9, bytes.length & 0xff]), bytes);
  }
  return Buffer.concat(parts).toString('base64');
}

/** meta.json exactly as Go's encoding/json writes raft.SnapshotMeta, with a trailing newline. */
export function metaJson(meta: SnapshotMeta, stateSize: number): Buffer {
  const servers = meta.servers ?? [{ id: 'vault-0', address: 'vault-0.vault-internal:8201' }];
  const body = {
    Version: 1,
    ID: 'bolt-snapshot',
    Index: meta.index,
    Term: meta.term,
    Peers: encodePeers(servers.map((s) => s.address)),
    Configuration: {
      Servers: servers.map((s) => ({ Suffrage: SUFFRAGE[s.suffrage ?? 'Voter'] ?? 0, ID: s.id, Address: s.address })),
    },
    ConfigurationIndex: meta.configurationIndex ?? 1,
    Size: stateSize,
  };
  return Buffer.from(`${JSON.stringify(body)}\n`);
}

/** Lowercase hex SHA-256 of a buffer. */
export function sha256Hex(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** SHA256SUMS content: `<hex>  <name>\n` per file, in the given order. */
export function sha256sums(files: Record<string, Buffer>): Buffer {
  return Buffer.from(
    Object.entries(files)
      .map(([name, data]) => `${sha256Hex(data)}  ${name}\n`)
      .join(''),
  );
}

/** SHA256SUMS from already computed hex hashes. */
export function sha256sumsFromHashes(hashes: Record<string, string>): Buffer {
  return Buffer.from(
    Object.entries(hashes)
      .map(([name, hex]) => `${hex}  ${name}\n`)
      .join(''),
  );
}

/** A deterministic, non-empty stand-in for the seal-encrypted SHA256SUMS. */
export function fakeSeal(sums: Buffer): Buffer {
  return Buffer.concat([Buffer.from('fake-seal-v1:'), createHash('sha256').update(sums).digest()]);
}
