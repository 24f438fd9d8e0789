import { SnapshotError } from '../errors';

/** Corrupt or wrong content: the archive is not a valid raft snapshot. */
export function invalid(message: string, cause?: unknown): SnapshotError {
  return new SnapshotError('SNAPSHOT_INVALID', message, { cause });
}

/** The archive stops early: the transfer was cut off. */
export function incomplete(message: string, cause?: unknown): SnapshotError {
  return new SnapshotError('SNAPSHOT_INCOMPLETE', message, { cause });
}

/** Quotes a name from the archive for a message, bounded so a hostile name cannot flood a log line. */
export function quoteName(name: string): string {
  return JSON.stringify(name.length > 120 ? `${name.slice(0, 120)}...` : name);
}
