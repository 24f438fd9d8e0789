import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AppError, createLogger, VaultClient } from '@vault-raft-backup/common';
import { checkCanary } from '../src/canary';
import { LevelRecorder, requiredLevel } from '../src/levels';

describe('levels', () => {
  test('the required level is the highest the configuration makes reachable, unless set', () => {
    expect(requiredLevel({ canUnseal: false, token: true, canary: true })).toBe(1);
    expect(requiredLevel({ canUnseal: true, token: false, canary: false })).toBe(2);
    expect(requiredLevel({ canUnseal: true, token: true, canary: false })).toBe(3);
    expect(requiredLevel({ canUnseal: true, token: true, canary: true })).toBe(4);
    expect(requiredLevel({ canUnseal: true, token: true, canary: true, minLevel: 2 })).toBe(2);
  });

  test('in a drill a failed level is recorded and the levels above are not reached', async () => {
    const levels = new LevelRecorder({ canUnseal: true, token: true, canary: true }, true);
    await levels.run(1, true, async () => {});
    await levels.run(2, true, async () => {
      throw new AppError('VAULT_UNSEAL_FAILED', 'keys rejected');
    });
    await levels.run(3, true, async () => {});
    const report = levels.report();

    expect(report).toMatchObject({ reached: 1, required: 4, passed: false });
    expect(report.checks.map((c) => c.status)).toEqual(['passed', 'failed', 'not reached', 'not reached']);
    expect(report.checks[1]?.reason).toBe('VAULT_UNSEAL_FAILED: keys rejected');
    expect(report.checks[2]?.reason).toBe('level 2 (unsealed and active) failed');
  });

  test('outside a drill a failing level throws as before', async () => {
    const levels = new LevelRecorder({ canUnseal: true, token: false, canary: false }, false);
    await expect(levels.run(2, true, async () => Promise.reject(new AppError('RESTORE_FAILED', 'x')))).rejects.toThrow('x');
  });

  test('levels that are not configured do not stop the count', async () => {
    const levels = new LevelRecorder({ canUnseal: true, token: false, canary: false }, true);
    await levels.run(1, true, async () => {});
    await levels.run(2, true, async () => {});
    await levels.run(3, false, async () => {});
    await levels.run(4, false, async () => {});
    expect(levels.report()).toMatchObject({ reached: 2, required: 2, passed: true });
  });
});

describe('canary', () => {
  const bodies: Record<string, { status: number; body: unknown }> = {
    '/v1/secret/data/v2': { status: 200, body: { data: { data: { value: 'x1' }, metadata: { version: 3 } } } },
    '/v1/secret/v1': { status: 200, body: { data: { value: 'x1' } } },
    '/v1/secret/denied': { status: 403, body: { errors: ['permission denied'] } },
  };
  const server = createServer((req, res) => {
    const found = bodies[req.url ?? ''] ?? { status: 404, body: { errors: [] } };
    res.writeHead(found.status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(found.body));
  });
  let ctx: Parameters<typeof checkCanary>[0];

  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const log = createLogger({ component: 'test', write: () => {} });
    const client = new VaultClient({ addr: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, log });
    ctx = { client, log, signal: new AbortController().signal, waitMs: 1000, pollMs: 10 };
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  test('KV v2 and v1 answers are both read, and the value compared', async () => {
    await expect(checkCanary(ctx, 't', { path: 'secret/data/v2', field: 'value', expected: 'x1' })).resolves.toBeUndefined();
    await expect(checkCanary(ctx, 't', { path: 'secret/v1', field: 'value', expected: 'x1' })).resolves.toBeUndefined();
    await expect(checkCanary(ctx, 't', { path: 'secret/data/v2', field: 'value', expected: 'x2' })).rejects.toThrow('holds another value than RESTORE_CANARY_VALUE');
  });

  test('a missing canary, a missing field and a token that may not read it say so', async () => {
    await expect(checkCanary(ctx, 't', { path: 'secret/gone' })).rejects.toThrow('the canary secret/gone does not exist in the restored data');
    await expect(checkCanary(ctx, 't', { path: 'secret/v1', field: 'other' })).rejects.toThrow('has no field other');
    await expect(checkCanary(ctx, 't', { path: 'secret/denied' })).rejects.toThrow('may not be read with RESTORE_VERIFY_TOKEN (403)');
  });
});
