import { Transform, type TransformCallback } from 'node:stream';
import type { Logger } from './log';

export interface ProgressOptions {
  log: Logger;
  /** Message of each progress line, e.g. `uploading`. */
  msg: string;
  /** Expected total bytes, when known (enables percent and ETA). */
  total?: number | undefined;
  /** Log when this long has passed since the last line (default 5 s)... */
  intervalMs?: number;
  /** ...or whenever this many more percent are done (default 10). */
  percentStep?: number;
  /** Extra fields on every line (bucket, key). */
  fields?: Record<string, unknown>;
  now?: () => number;
}

/** Tracks transferred bytes and logs progress lines at a bounded rate. */
export interface Progress {
  /** Sets the absolute number of bytes transferred so far. */
  set(bytes: number): void;
  /** Adds bytes transferred. */
  add(bytes: number): void;
  /** Bytes so far, elapsed milliseconds and mean rate in MiB/s. */
  summary(): { bytes: number; durationMs: number; mibPerSec: number };
}

const MIB = 1024 * 1024;
const round1 = (n: number) => Math.round(n * 10) / 10;

/** Creates a progress tracker that logs every `intervalMs` or `percentStep` %, whichever comes first. */
export function createProgress(options: ProgressOptions): Progress {
  const now = options.now ?? Date.now;
  const intervalMs = options.intervalMs ?? 5000;
  const step = options.percentStep ?? 10;
  const started = now();
  let bytes = 0;
  let lastAt = started;
  let lastPercent = 0;
  const summary = () => {
    const durationMs = now() - started;
    return { bytes, durationMs, mibPerSec: durationMs > 0 ? round1(bytes / MIB / (durationMs / 1000)) : 0 };
  };
  const maybeLog = () => {
    const t = now();
    const total = options.total;
    const percent = total ? Math.min(100, Math.floor((bytes / total) * 100)) : undefined;
    const due = t - lastAt >= intervalMs || (percent !== undefined && percent >= lastPercent + step && percent < 100);
    if (!due) return;
    lastAt = t;
    if (percent !== undefined) lastPercent = percent - (percent % step);
    const { mibPerSec } = summary();
    const rate = bytes / Math.max(1, t - started);
    const etaSeconds = total && rate > 0 ? Math.round((total - bytes) / rate / 1000) : undefined;
    options.log.info(options.msg, { ...options.fields, bytes, totalBytes: total, percent, mibPerSec, etaSeconds });
  };
  return {
    set(n) {
      bytes = n;
      maybeLog();
    },
    add(n) {
      bytes += n;
      maybeLog();
    },
    summary,
  };
}

/** A pass-through stream that feeds the bytes flowing through it into a Progress. */
export function progressStream(progress: Progress): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc: BufferEncoding, callback: TransformCallback) {
      progress.add(chunk.length);
      callback(null, chunk);
    },
  });
}
