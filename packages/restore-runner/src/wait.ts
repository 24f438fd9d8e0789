import { type AppError, sleep } from '@vault-raft-backup/common';

/** Options of {@link pollUntil}. */
export interface PollOptions {
  /** Epoch milliseconds after which polling gives up. */
  deadline: number;
  intervalMs: number;
  signal: AbortSignal;
  /** The error thrown at the deadline (it may use the last value seen). */
  onTimeout: () => AppError;
}

/**
 * Calls `probe` until it returns a value other than undefined, sleeping in between.
 * @throws the error of `onTimeout` at the deadline, or the signal's reason when aborted.
 */
export async function pollUntil<T>(probe: () => Promise<T | undefined>, opts: PollOptions): Promise<T> {
  for (;;) {
    if (opts.signal.aborted) throw opts.signal.reason;
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() >= opts.deadline) throw opts.onTimeout();
    await sleep(Math.min(opts.intervalMs, Math.max(0, opts.deadline - Date.now())), opts.signal);
  }
}

/** A rate limiter for progress lines: true at most once per `intervalMs`, first after one interval. */
export function everyMs(intervalMs: number): () => boolean {
  let next = Date.now() + intervalMs;
  return () => {
    if (Date.now() < next) return false;
    next = Date.now() + intervalMs;
    return true;
  };
}

/** Human form of a duration in milliseconds, for messages (`10m`, `45s`, `800ms`). */
export function formatDuration(ms: number): string {
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms >= 1000) return `${Math.round(ms / 100) / 10}s`;
  return `${ms}ms`;
}
