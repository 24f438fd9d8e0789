import { createHash } from 'node:crypto';
import { invalid, quoteName } from './snapshot-error';
import type { SnapshotEntries } from './snapshot-entries';

/** What a verified snapshot is. */
export interface SnapshotInfo {
  /** Lowercase hex SHA-256 of the whole archive as received. */
  sha256: string;
  /** Bytes of the whole archive as received. */
  bytes: number;
  index: number;
  term: number;
  version: number;
  id: string;
  stateBytes: number;
  configurationIndex: number;
  /** Entry names in archive order. */
  entries: string[];
}

/** Options of the snapshot checks. */
export interface VerifyOptions {
  /** Default true: Vault always writes SHA256SUMS.sealed; false for archives of the raw library. */
  requireSealed?: boolean;
}

const HASHED = ['meta.json', 'state.bin'] as const;
const SUM_LINE = /^([0-9a-fA-F]{64}) [ *](.+)$/;

function checkSums(entries: SnapshotEntries): void {
  const sums = entries.small.get('SHA256SUMS');
  if (sums === undefined) {
    if (entries.names.length === 0) throw invalid('snapshot archive has no entries');
    throw invalid('SHA256SUMS file missing from snapshot');
  }
  const actual: Record<string, string> = {
    'meta.json': createHash('sha256').update(entries.small.get('meta.json') ?? Buffer.alloc(0)).digest('hex'),
    'state.bin': entries.stateHash.digest('hex'),
  };
  const listed = new Set<string>();
  for (const [i, line] of sums.toString('utf8').split('\n').entries()) {
    if (line.trim() === '') continue;
    const match = SUM_LINE.exec(line.replace(/\r$/, ''));
    if (match === null) throw invalid(`SHA256SUMS line ${i + 1} is malformed`);
    const [, hex = '', name = ''] = match;
    const expected = actual[name];
    if (expected === undefined) throw invalid(`SHA256SUMS lists unexpected file ${quoteName(name)} (list missing hash for it)`);
    if (!entries.names.includes(name)) throw invalid(`hash check failed for ${quoteName(name)}: file missing from snapshot`);
    if (expected !== hex.toLowerCase()) throw invalid(`hash check failed for ${quoteName(name)}`);
    listed.add(name);
  }
  for (const name of HASHED) {
    if (!listed.has(name)) throw invalid(`SHA256SUMS has no hash for ${quoteName(name)}`);
  }
}

function integer(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw invalid(`meta.json field ${field} is missing or not a non-negative integer`);
  }
  return value;
}

function checkMeta(entries: SnapshotEntries): Omit<SnapshotInfo, 'sha256' | 'bytes' | 'entries'> {
  let meta: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse((entries.small.get('meta.json') ?? Buffer.alloc(0)).toString('utf8'));
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not a JSON object');
    meta = parsed as Record<string, unknown>;
  } catch (err) {
    throw invalid('meta.json in snapshot is not a JSON object', err);
  }
  const version = integer(meta.Version, 'Version');
  if (version !== 1) throw invalid(`meta.json has unsupported snapshot Version ${version} (expected 1)`);
  const size = integer(meta.Size, 'Size');
  if (size !== entries.stateBytes) throw invalid(`meta.json Size ${size} does not match state.bin (${entries.stateBytes} bytes)`);
  return {
    version,
    index: integer(meta.Index, 'Index'),
    term: integer(meta.Term, 'Term'),
    id: typeof meta.ID === 'string' ? meta.ID : '',
    stateBytes: entries.stateBytes,
    configurationIndex: meta.ConfigurationIndex === undefined ? 0 : integer(meta.ConfigurationIndex, 'ConfigurationIndex'),
  };
}

/**
 * Checks a fully read snapshot: SHA256SUMS lists and matches both files, meta.json is sane, `.sealed` present.
 * @throws SnapshotError SNAPSHOT_INVALID on any mismatch.
 */
export function checkSnapshot(entries: SnapshotEntries, opts: VerifyOptions, archive: { sha256: string; bytes: number }): SnapshotInfo {
  if (entries.names.length === 0) throw invalid('snapshot archive has no entries');
  checkSums(entries);
  const meta = checkMeta(entries);
  if (opts.requireSealed !== false) {
    const sealed = entries.small.get('SHA256SUMS.sealed');
    if (sealed === undefined) throw invalid('SHA256SUMS.sealed missing from snapshot (Vault always writes it)');
    if (sealed.length === 0) throw invalid('SHA256SUMS.sealed in snapshot is empty');
  }
  return { ...archive, ...meta, entries: [...entries.names] };
}
