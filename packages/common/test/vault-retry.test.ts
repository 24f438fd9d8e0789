import { VaultError } from '../src/errors';
import { backoffDelay, DEFAULT_RETRY, isRetryableStatus, retryAfterMs } from '../src/vault/retry';

describe('backoffDelay (full jitter)', () => {
  const policy = { ...DEFAULT_RETRY, baseDelayMs: 100, maxDelayMs: 1000 };

  it('draws from 0 up to base * 2^(attempt-1), as "full jitter" does, not from half of it', () => {
    expect(backoffDelay(policy, 1, () => 0)).toBe(0);
    expect(backoffDelay(policy, 1, () => 0.5)).toBe(50);
    expect(backoffDelay(policy, 3, () => 0.999)).toBe(400);
  });

  it('never exceeds the cap, however many attempts', () => {
    expect(backoffDelay(policy, 10, () => 0.999)).toBe(999);
    expect(backoffDelay(policy, 5000, () => 0.999)).toBe(999);
  });
});

describe('retryAfterMs', () => {
  const now = Date.parse('2026-12-01T03:00:00Z');

  it('reads delta-seconds', () => {
    expect(retryAfterMs('2', now)).toBe(2000);
    expect(retryAfterMs(' 0 ', now)).toBe(0);
    expect(retryAfterMs(['7', '9'], now)).toBe(7000);
  });

  it('reads an HTTP-date as the time left until then, and a past one as 0', () => {
    expect(retryAfterMs('Tue, 01 Dec 2026 03:00:05 GMT', now)).toBe(5000);
    expect(retryAfterMs('Tue, 01 Dec 2026 02:59:00 GMT', now)).toBe(0);
  });

  it('ignores what is absent or unreadable', () => {
    expect(retryAfterMs(undefined, now)).toBeUndefined();
    expect(retryAfterMs('', now)).toBeUndefined();
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs('-3', now)).toBeUndefined();
  });
});

describe('isRetryableStatus', () => {
  it.each([
    [429, [], true],
    [412, [], true],
    [500, [], true],
    [502, [], true],
    [503, ['no active Vault instance found'], true],
    [503, ['Vault is sealed'], false],
    [501, [], false],
    [400, [], false],
    [403, ['permission denied'], false],
    [404, [], false],
  ])('%i %j: %s', (status, errors, expected) => {
    expect(isRetryableStatus(status, errors)).toBe(expected);
  });
});

describe('VaultError', () => {
  it("keeps Vault's errors list and Retry-After as data", () => {
    const err = new VaultError('VAULT_HTTP', 'Vault answered 429 (busy): GET /v1/sys/health', { path: 'sys/health', status: 429, errors: ['busy'], retryAfterMs: 2000 });
    expect(err.errors).toEqual(['busy']);
    expect(err.retryAfterMs).toBe(2000);
    expect(new VaultError('VAULT_UNREACHABLE', 'x', { path: 'p' }).errors).toEqual([]);
  });
});
