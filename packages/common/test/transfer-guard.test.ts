import { guardTransfer, type TransferFailure } from '../src/transfer-guard';

beforeEach(() => jest.useFakeTimers({ now: 0 }));
afterEach(() => jest.useRealTimers());

/** Moves `bytesPerSecond` every second for `seconds`, or until the guard fails; returns the failure and when. */
function drive(limits: { minBytesPerSecond: number; windowMs: number; idleMs: number }, bytesAt: (second: number) => number, seconds: number) {
  let failure: { why: TransferFailure; atMs: number } | undefined;
  const guard = guardTransfer(limits, (why) => {
    failure = { why, atMs: Date.now() };
  });
  let total = 0;
  for (let s = 1; s <= seconds && !failure; s++) {
    jest.advanceTimersByTime(1000);
    total += bytesAt(s);
    guard.progress(total);
  }
  guard.stop();
  return failure;
}

describe('guardTransfer', () => {
  const limits = { minBytesPerSecond: 1024, windowMs: 10_000, idleMs: 60_000 };

  it('when a transfer moves 1 byte/s, it ends it once a whole window is below the floor, not before', () => {
    const failure = drive(limits, () => 1, 60);
    expect(failure?.why.kind).toBe('slow');
    expect(failure?.why).toEqual({ kind: 'slow', movedBytes: expect.any(Number) });
    expect(failure?.why.kind === 'slow' && failure.why.movedBytes).toBeLessThanOrEqual(11);
    expect(failure?.atMs).toBeGreaterThanOrEqual(10_000);
    expect(failure?.atMs).toBeLessThanOrEqual(12_000);
  });

  it('when a transfer moves steadily above the floor, it never ends it', () => {
    expect(drive(limits, () => 2048, 120)).toBeUndefined();
  });

  it('when a burst is followed by a crawl, it ends the transfer once the burst left the window', () => {
    const failure = drive(limits, (s) => (s === 1 ? 100 * 1024 * 1024 : 100), 60);
    expect(failure?.why.kind).toBe('slow');
    expect(failure?.atMs).toBeGreaterThanOrEqual(11_000);
  });

  it('when nothing moves for idleMs, it ends the transfer as stalled', () => {
    const failure = drive({ minBytesPerSecond: 1, windowMs: 600_000, idleMs: 5000 }, () => 0, 60);
    expect(failure).toEqual({ why: { kind: 'stalled' }, atMs: expect.any(Number) });
    expect(failure?.atMs).toBeGreaterThanOrEqual(5000);
    expect(failure?.atMs).toBeLessThanOrEqual(6000);
  });

  it('when stopped, it never fires', () => {
    const fail = jest.fn();
    const guard = guardTransfer(limits, fail);
    guard.stop();
    jest.advanceTimersByTime(600_000);
    expect(fail).not.toHaveBeenCalled();
  });
});
