/** curl's `--speed-limit`/`--speed-time`: a request that moves fewer than `bytesPerSecond` on average over `windowMs` is aborted. */
export interface SpeedFloor {
  bytesPerSecond: number;
  windowMs: number;
}

/** The bytes a request moved over the last `windowMs`, from samples of its running total. */
export class SpeedWindow {
  private samples: { at: number; moved: number }[] = [];

  constructor(private readonly floor: SpeedFloor) {}

  /** Forgets the samples: the floor starts a fresh window at the next one. */
  reset(): void {
    this.samples = [];
  }

  /**
   * Records that `moved` bytes were moved in all by time `at` (ms). Once a whole window lies behind,
   * returns what moved over it when that is below the floor, else undefined.
   */
  add(at: number, moved: number): { bytes: number; ms: number } | undefined {
    this.samples.push({ at, moved });
    // keep the newest sample at or before the window's start, and every one after it
    while ((this.samples[1]?.at ?? at) <= at - this.floor.windowMs) this.samples.shift();
    const first = this.samples[0];
    if (first === undefined || at - first.at < this.floor.windowMs) return undefined;
    const bytes = moved - first.moved;
    const ms = at - first.at;
    return bytes < (this.floor.bytesPerSecond * ms) / 1000 ? { bytes, ms } : undefined;
  }
}
