/**
 * Frees the dead buffers of a transfer while it runs, instead of whenever V8 gets to them.
 *
 * Every chunk that crosses a socket, a file or zlib is a fresh ArrayBuffer whose memory lives outside
 * V8's heap; it is freed only when a collection finds the small JS object that owns it dead. Young
 * collections, which would find these at once, run when the JS heap's young generation fills, and a
 * byte stream allocates almost nothing there: on Node 24 a 512 MiB snapshot download ran 4 of them and
 * 45 full collections, ArrayBuffers saw-toothed up to 70 MiB of mostly dead memory and peak RSS reached
 * 154 MiB; with buffers freed late, malloc also gave pages back and faulted them in again (85 000
 * minor faults against 27 000 on Node 20). See docs/PERFORMANCE.md, "Dead buffers".
 *
 * While a transfer runs, this reads the bytes held by ArrayBuffers every `intervalMs` and, when they
 * grew by more than `budgetBytes` over the lowest reading since the last collection, asks V8 for a
 * young-generation collection (about 60 µs here; a full one took 15 ms and cost more CPU than it
 * saved). Growth over the lowest reading, not an absolute level, so buffers the step keeps on purpose
 * (s3-uploader's part pool) never trigger it.
 */

/**
 * Growth of ArrayBuffer memory that triggers a young collection. Node 24, 512 MiB, one run each, peak
 * RSS of snapshot-taker / restore-fetcher / s3-uploader: 16 MiB read every 10 ms 118 / 124 / 150 MiB;
 * 8 MiB every 5 ms 114 / 110 / 135; 4 MiB every 5 ms 102 / 105 / 128, with no CPU saved over 8 MiB.
 */
export const RECLAIM_BUDGET_BYTES = 8 * 1024 * 1024;
/** How often the ArrayBuffer total is read (about 10 µs a reading): at 250 MiB/s, 1.25 MiB move between two. */
export const RECLAIM_INTERVAL_MS = 5;

export interface ReclaimOptions {
  budgetBytes?: number;
  intervalMs?: number;
  /** Bytes held by ArrayBuffers now (default: `process.memoryUsage().arrayBuffers`). */
  arrayBuffers?: () => number;
  /** Runs a young collection; undefined when none can be had (the transfer then runs without). */
  collect?: (() => void) | undefined;
}

type GcFunction = (options?: { type?: 'major' | 'minor' }) => void;

let gcFunction: GcFunction | null | undefined;

/**
 * V8's `gc` function. With `--expose-gc` it is a global; otherwise the flag is set now and the
 * function taken from a fresh context, which is the only way V8 hands it out once the process runs
 * (the flag only adds `gc` to contexts made after it is set). Undefined when the runtime refuses.
 */
function v8Gc(): GcFunction | undefined {
  if (gcFunction === undefined) {
    try {
      let gc: unknown = (globalThis as { gc?: unknown }).gc;
      if (typeof gc !== 'function') {
        process.getBuiltinModule('node:v8').setFlagsFromString('--expose-gc');
        gc = process.getBuiltinModule('node:vm').runInNewContext('gc');
      }
      gcFunction = typeof gc === 'function' ? (gc as GcFunction) : null;
    } catch {
      gcFunction = null;
    }
  }
  return gcFunction ?? undefined;
}

/** A young (minor) collection, or undefined when V8's gc function cannot be had. */
export function youngCollector(): (() => void) | undefined {
  const gc = v8Gc();
  return gc === undefined ? undefined : () => gc({ type: 'minor' });
}

/**
 * One full collection, between two phases of a step: it frees what the finished phase kept long
 * enough to reach the old generation, which young collections never look at (s3-uploader's part
 * pool before its read-back). Does nothing when V8's gc function cannot be had.
 */
export function collectFinishedPhase(): void {
  // the plain call: Node 20's V8 left the buffers of a `{ type: 'major' }` collection unswept until
  // the next one (12 MiB still held after it, none after this)
  v8Gc()?.();
}

/**
 * Runs `work` (a transfer) with its dead buffers freed as it goes (above); stops watching when it
 * settles, whatever the outcome.
 */
export async function reclaimBuffersDuring<T>(work: () => Promise<T>, options: ReclaimOptions = {}): Promise<T> {
  const collect = 'collect' in options ? options.collect : youngCollector();
  if (collect === undefined) return work();
  const budget = options.budgetBytes ?? RECLAIM_BUDGET_BYTES;
  const arrayBuffers = options.arrayBuffers ?? (() => process.memoryUsage().arrayBuffers);
  let lowest = arrayBuffers();
  const timer = setInterval(() => {
    const now = arrayBuffers();
    if (now - lowest > budget) {
      collect();
      // what the collection freed shows in the readings that follow (buffers may be freed after it returns)
      lowest = Number.POSITIVE_INFINITY;
    } else if (now < lowest) {
      lowest = now;
    }
  }, options.intervalMs ?? RECLAIM_INTERVAL_MS);
  timer.unref();
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}
