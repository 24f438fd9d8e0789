import { decrypt, encrypt, sha256Hex } from './crypto';
import type { Model } from './model';

/** One storage entry as raft snapshots carry it (Vault's protobuf StorageEntry). */
export interface StorageRecord {
  key: string;
  value: Buffer;
}

/** Unsigned LEB128, as Go's binary.PutUvarint. */
export function uvarint(value: number): Buffer {
  const bytes: number[] = [];
  let rest = value;
  while (rest >= 0x80) {
    bytes.push((rest % 0x80) | 0x80);
    rest = Math.floor(rest / 0x80);
  }
  bytes.push(rest);
  return Buffer.from(bytes);
}

/** Header bytes of a StorageEntry {1: key, 2: value} up to (excluding) the value bytes. */
export function recordHead(key: string, valueLength: number): Buffer {
  const keyBytes = Buffer.from(key);
  const body = Buffer.concat([Buffer.from([0x0a]), uvarint(keyBytes.length), keyBytes, Buffer.from([0x12]), uvarint(valueLength)]);
  return Buffer.concat([uvarint(body.length + valueLength), body]);
}

/** A whole length-prefixed record. */
export function encodeRecord(record: StorageRecord): Buffer {
  return Buffer.concat([recordHead(record.key, record.value.length), record.value]);
}

/** Reads a uvarint at `offset`; undefined when the buffer ends first. */
export function readUvarint(buf: Buffer, offset: number): { value: number; next: number } | undefined {
  let value = 0;
  let scale = 1;
  for (let i = offset; i < buf.length && i < offset + 10; i++) {
    const byte = buf[i] ?? 0;
    value += (byte & 0x7f) * scale;
    if (byte < 0x80) return { value, next: i + 1 };
    scale *= 0x80;
  }
  return undefined;
}

/** Parses one StorageEntry message body. @throws Error on a malformed record. */
export function decodeRecordBody(body: Buffer): StorageRecord {
  let key = '';
  let value = Buffer.alloc(0);
  let offset = 0;
  while (offset < body.length) {
    const tag = body[offset];
    const len = readUvarint(body, offset + 1);
    if (len === undefined || (tag !== 0x0a && tag !== 0x12)) throw new Error('malformed storage record');
    const field = body.subarray(len.next, len.next + len.value);
    if (tag === 0x0a) key = field.toString();
    else value = Buffer.from(field);
    offset = len.next + len.value;
  }
  return { key, value };
}

type Collection = Exclude<keyof Model, 'clusterId' | 'clusterName'>;
const PREFIXES: [Collection, string][] = [
  ['tokens', 'sys/token/id/'],
  ['policies', 'sys/policy/'],
  ['authMounts', 'core/auth/'],
  ['roles', 'auth/role/'],
  ['secretIds', 'auth/secret_id/'],
  ['kv', 'logical/secret/'],
  ['wraps', 'sys/wrapping/'],
  ['methodConfigs', 'auth/method/config/'],
  ['methodRoles', 'auth/method/role/'],
];

/** Model -> records with values encrypted by the keyring key; token-like ids appear only hashed in keys. */
export function encodeModel(model: Model, keyringKey: Buffer): StorageRecord[] {
  const seal = (value: unknown) => encrypt(keyringKey, Buffer.from(JSON.stringify(value)));
  const records: StorageRecord[] = [{ key: 'core/cluster/local/info', value: seal({ id: model.clusterId, name: model.clusterName }) }];
  for (const [collection, prefix] of PREFIXES) {
    for (const [id, entry] of model[collection] as Map<string, unknown>) {
      records.push({ key: `${prefix}${sha256Hex(id)}`, value: seal({ id, entry }) });
    }
  }
  return records;
}

/** Records -> model. @throws Error when the keyring key cannot decrypt them. */
export function decodeModel(records: StorageRecord[], keyringKey: Buffer): Model {
  const open = (value: Buffer): unknown => JSON.parse(decrypt(keyringKey, value).toString());
  const model: Model = { clusterId: '', clusterName: '', tokens: new Map(), policies: new Map(), authMounts: new Map(), roles: new Map(), secretIds: new Map(), kv: new Map(), wraps: new Map(), methodConfigs: new Map(), methodRoles: new Map() };
  for (const record of records) {
    if (record.key === 'core/cluster/local/info') {
      const info = open(record.value) as { id: string; name: string };
      model.clusterId = info.id;
      model.clusterName = info.name;
      continue;
    }
    const match = PREFIXES.find(([, prefix]) => record.key.startsWith(prefix));
    if (!match) continue;
    const { id, entry } = open(record.value) as { id: string; entry: unknown };
    (model[match[0]] as Map<string, unknown>).set(id, entry);
  }
  return model;
}
