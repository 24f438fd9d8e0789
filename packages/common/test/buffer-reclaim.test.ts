import { setTimeout as sleep } from 'node:timers/promises';
import { collectFinishedPhase, reclaimBuffersDuring, youngCollector } from '../src/buffer-reclaim';

const MIB = 1024 * 1024;

/** Readings handed out one per check; the last one repeats. */
function readings(values: number[]): () => number {
  let i = 0;
  return () => values[Math.min(i++, values.length - 1)] as number;
}

describe('reclaimBuffersDuring', () => {
  it('collects once the ArrayBuffer total grew by more than the budget over the lowest reading, not before', async () => {
    // start 30, dips to 20 (the floor), grows to 28 (8 over: not more), 29 (collect), then 21 after it
    const arrayBuffers = readings([30 * MIB, 20 * MIB, 28 * MIB, 29 * MIB, 21 * MIB, 24 * MIB]);
    let collections = 0;

    await reclaimBuffersDuring(() => sleep(60), { budgetBytes: 8 * MIB, intervalMs: 1, arrayBuffers, collect: () => collections++ });

    expect(collections).toBe(1);
  });

  it('measures growth from the readings after a collection, since buffers may be freed after it returns', async () => {
    // 0 -> 9 (collect) -> 12 (still freeing: the new floor would be 12) -> 2 (the floor) -> 9 (7 over: no) -> 11 (collect)
    const arrayBuffers = readings([0, 9 * MIB, 12 * MIB, 2 * MIB, 9 * MIB, 11 * MIB, 3 * MIB]);
    let collections = 0;

    await reclaimBuffersDuring(() => sleep(60), { budgetBytes: 8 * MIB, intervalMs: 1, arrayBuffers, collect: () => collections++ });

    expect(collections).toBe(2);
  });

  it('a constant total (a pool the step keeps) never collects, however large', async () => {
    let collections = 0;

    await reclaimBuffersDuring(() => sleep(30), { budgetBytes: 8 * MIB, intervalMs: 1, arrayBuffers: () => 24 * MIB, collect: () => collections++ });

    expect(collections).toBe(0);
  });

  it('returns the result of the work and stops watching when it ends', async () => {
    let checks = 0;
    const value = await reclaimBuffersDuring(async () => 'done', { intervalMs: 1, arrayBuffers: () => checks++, collect: () => {} });
    const after = checks;
    await sleep(20);

    expect(value).toBe('done');
    expect(checks).toBe(after);
  });

  it('passes the failure of the work through and stops watching', async () => {
    let checks = 0;
    const failing = reclaimBuffersDuring(
      async () => {
        await sleep(10);
        throw new Error('transfer failed');
      },
      { intervalMs: 1, arrayBuffers: () => checks++, collect: () => {} },
    );

    await expect(failing).rejects.toThrow('transfer failed');
    const after = checks;
    await sleep(20);
    expect(checks).toBe(after);
  });

  it('without a collector the work runs as it is', async () => {
    await expect(reclaimBuffersDuring(async () => 42, { collect: undefined })).resolves.toBe(42);
  });
});

/** Waits (up to a second) until the ArrayBuffer total is below `limit`: V8 may free swept buffers on a helper thread. */
async function arrayBuffersSettleBelow(limit: number): Promise<number> {
  let now = process.memoryUsage().arrayBuffers;
  for (let i = 0; i < 100 && now >= limit; i++) {
    await sleep(10);
    now = process.memoryUsage().arrayBuffers;
  }
  return now;
}

describe('the collections on this Node', () => {
  it('frees dead buffers that V8 would otherwise hold until its next collection', async () => {
    const collect = youngCollector();
    expect(collect).toBeDefined();
    const before = process.memoryUsage().arrayBuffers;
    // dead buffers of 1 MiB (never from Node's small-buffer pool) until they hold 12 MiB more than
    // before; V8 may collect some on its own meanwhile, so the loop goes on until the total is there
    let grown = before;
    for (let i = 0; i < 256 && grown < before + 12 * MIB; i++) {
      Buffer.allocUnsafe(MIB).fill(i);
      grown = process.memoryUsage().arrayBuffers;
    }

    collect?.();
    const after = await arrayBuffersSettleBelow(before + 4 * MIB);

    expect(grown - before).toBeGreaterThanOrEqual(12 * MIB);
    expect(after - before).toBeLessThan(4 * MIB);
  });

  it('a full collection frees buffers that lived through young collections (the old generation), which young ones leave', async () => {
    const young = youngCollector();
    expect(young).toBeDefined();
    const before = process.memoryUsage().arrayBuffers;
    let pool: Buffer[] | undefined = Array.from({ length: 12 }, (_, i) => Buffer.allocUnsafe(MIB).fill(i));
    // objects that survive two young collections move to the old generation
    young?.();
    young?.();
    expect(pool).toHaveLength(12);
    pool = undefined;
    young?.();
    await sleep(50);
    const afterYoung = process.memoryUsage().arrayBuffers;

    collectFinishedPhase();
    const afterFull = await arrayBuffersSettleBelow(before + 4 * MIB);

    expect(afterYoung - before).toBeGreaterThanOrEqual(12 * MIB);
    expect(afterFull - before).toBeLessThan(4 * MIB);
  });
});
