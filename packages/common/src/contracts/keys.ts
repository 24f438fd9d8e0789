import { AppError } from '../errors';

const NAME = 'vault-raft-snapshot-';
const STAMP = /^\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ$/;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** `YYYY-MM-DDTHH-MM-SSZ` (UTC) of an ISO time. @throws AppError when the time does not parse */
export function keyTimestamp(time: string | Date): string {
  const date = typeof time === 'string' ? new Date(time) : time;
  if (Number.isNaN(date.getTime())) throw new AppError('SNAPSHOT_INVALID', `not a time: ${String(time)}`);
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/:/g, '-');
}

/** `<prefix>vault-raft-snapshot-YYYY-MM-DDTHH-MM-SSZ.snap` for a snapshot taken at `takenAt`. */
export function snapshotKey(prefix: string, takenAt: string | Date): string {
  return `${prefix}${NAME}${keyTimestamp(takenAt)}.snap`;
}

/** Matches only timestamped snapshot keys directly under `prefix` (nothing in sub-folders, no foreign names). */
export function snapshotKeyPattern(prefix: string): RegExp {
  return new RegExp(`^${escapeRegExp(prefix)}${NAME}(\\d{4}-\\d\\d-\\d\\dT\\d\\d-\\d\\d-\\d\\dZ)\\.snap$`);
}

/** The ISO time encoded in a snapshot key, or undefined when the key is not one. */
export function timeOfSnapshotKey(prefix: string, key: string): string | undefined {
  const stamp = snapshotKeyPattern(prefix).exec(key)?.[1];
  if (!stamp || !STAMP.test(stamp)) return undefined;
  const [date, time] = stamp.split('T') as [string, string];
  return `${date}T${time.slice(0, -1).replace(/-/g, ':')}Z`;
}
