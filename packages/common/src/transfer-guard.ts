/**
 * The speed floor of a transfer, as curl's `--speed-limit`/`--speed-time`: a transfer that moves fewer
 * than `minBytesPerSecond` on average over any `windowMs` is ended.
 */
export interface SpeedFloor {
  minBytesPerSecond: number;
  windowMs: number;
}

/** Limits of one transfer: the speed floor, and how long it may move no byte at all. */
export interface TransferLimits extends SpeedFloor {
  idleMs: number;
}

/**
 * Ends a 1 byte/s transfer after 2 minutes, and trips no link that moves a snapshot at all: 1 KiB/s
 * is 8 kbit/s, at which a 100 MiB snapshot would take more than a day.
 */
export const DEFAULT_SPEED_FLOOR: SpeedFloor = { minBytesPerSecond: 1024, windowMs: 120_000 };

/** Why a transfer was ended: no byte for `idleMs`, or `movedBytes` in the last window, below the floor. */
export type TransferFailure = { kind: 'stalled' } | { kind: 'slow'; movedBytes: number };

/** Watches a transfer's byte count; calls `fail` once, when it stalls or crawls. */
export interface TransferGuard {
  /** Records the total bytes moved so far. */
  progress(totalBytes: number): void;
  stop(): void;
}

/** Starts watching a transfer; the guard stops itself before it calls `fail`. */
export function guardTransfer(limits: TransferLimits, fail: (why: TransferFailure) => void, now: () => number = Date.now): TransferGuard {
  const started = now();
  let total = 0;
  let lastMoveAt = started;
  // (time, total) samples; the oldest one kept is the newest that is at least one window old
  const samples: [number, number][] = [[started, 0]];
  const tickMs = Math.max(10, Math.min(1000, Math.floor(Math.min(limits.windowMs, limits.idleMs) / 4)));
  const check = () => {
    const t = now();
    samples.push([t, total]);
    while (samples.length > 1 && (samples[1]?.[0] ?? t) <= t - limits.windowMs) samples.shift();
    if (t - lastMoveAt >= limits.idleMs) return stopWith({ kind: 'stalled' });
    const [since, base] = samples[0] ?? [t, total];
    if (t - since < limits.windowMs) return;
    const moved = total - base;
    if (moved < (limits.minBytesPerSecond * (t - since)) / 1000) stopWith({ kind: 'slow', movedBytes: moved });
  };
  const timer = setInterval(check, tickMs);
  timer.unref();
  const stop = () => clearInterval(timer);
  function stopWith(why: TransferFailure) {
    stop();
    fail(why);
  }
  return {
    progress(totalBytes: number) {
      if (totalBytes > total) lastMoveAt = now();
      total = totalBytes;
    },
    stop,
  };
}
