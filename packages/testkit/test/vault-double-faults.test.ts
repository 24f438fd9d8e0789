import { join } from 'node:path';
import { verifySnapshotFile } from '@vault-raft-backup/common';
import { request } from 'node:http';
import { startVaultDouble, type VaultDouble } from '../src/index';
import { api, downloadSnapshot, pending, tempDir, waitUntil } from './vault-double-helpers';

let double: VaultDouble;
let tmp: { dir: string; cleanup: () => Promise<void> };

beforeAll(async () => {
  double = await startVaultDouble({ nodes: 3, fillerBytes: 2 * 1024 * 1024 });
  tmp = await tempDir();
});
afterAll(async () => {
  await double.close();
  await tmp.cleanup();
});
afterEach(() => {
  for (const key of Object.keys(double.faults)) delete double.faults[key as keyof typeof double.faults];
});

describe('standby nodes', () => {
  it('answer snapshot GET with 307 to the active node, keeping path and query', async () => {
    const standby = double.nodes[1]?.url ?? '';
    const res = await api(standby, 'GET', 'sys/storage/raft/snapshot?x=1', { token: double.rootToken });
    expect(res.status).toBe(307);
    expect(res.headers.get('location')).toBe(`${double.url}/v1/sys/storage/raft/snapshot?x=1`);
  });

  it('redirect only the two snapshot paths; every other request is forwarded and answered as the active node would', async () => {
    const standby = double.nodes[1]?.url ?? '';
    const root = double.rootToken;
    for (const path of ['sys/storage/raft/snapshot', 'sys/storage/raft/snapshot-force']) {
      const res = await api(standby, 'POST', path, { token: root });
      expect(res.status).toBe(307);
      expect(res.headers.get('location')).toBe(`${double.url}/v1/${path}`);
    }
    expect((await api(standby, 'PUT', 'secret/forwarded', { token: root, body: { a: 1 } })).status).toBe(204);
    expect((await api(double.url, 'GET', 'secret/forwarded', { token: root })).json.data).toEqual({ a: 1 });
    expect((await api(standby, 'GET', 'secret/forwarded', { token: root })).json.data).toEqual({ a: 1 });
    expect((await api(standby, 'GET', 'auth/token/lookup-self', { token: root })).status).toBe(200);
    expect((await api(standby, 'GET', 'sys/auth', { token: root })).status).toBe(200);
    expect((await api(standby, 'GET', 'secret/forwarded')).status).toBe(403);
    expect(double.requests.filter((r) => r.node === 1 && r.status === 307).every((r) => r.path.startsWith('/v1/sys/storage/raft/snapshot'))).toBe(true);
  });

  it('report 429 from sys/health, or 200 with standbyok', async () => {
    const standby = double.nodes[2]?.url ?? '';
    expect((await api(standby, 'GET', 'sys/health')).status).toBe(429);
    expect((await api(standby, 'GET', 'sys/health?standbyok=true')).status).toBe(200);
  });
});

describe('a standby without an active node', () => {
  it.each([
    ['vault', 503, 'no active Vault instance found'],
    ['openbao', 500, 'local node not active but active cluster node not found'],
  ] as const)('%s: answers %i %s, for snapshots as for other requests', async (flavor, status, message) => {
    const cluster = await startVaultDouble({ nodes: 2, flavor });
    try {
      expect((await api(cluster.url, 'PUT', 'sys/seal', { token: cluster.rootToken })).status).toBe(204);
      const standby = cluster.nodes[1]?.url ?? '';
      for (const path of ['sys/storage/raft/snapshot', 'secret/x']) {
        const res = await api(standby, 'GET', path, { token: cluster.rootToken });
        expect([res.status, res.json]).toEqual([status, { errors: [message] }]);
      }
    } finally {
      await cluster.close();
    }
  });
});

describe('sealed cluster', () => {
  it('answers 503 Vault is sealed to snapshot GET and 503 from health, then works again after unseal', async () => {
    const sealedDouble = await startVaultDouble({ secretShares: 3, secretThreshold: 2 });
    try {
      sealedDouble.seal();
      const res = await api(sealedDouble.url, 'GET', 'sys/storage/raft/snapshot', { token: sealedDouble.rootToken });
      expect(res.status).toBe(503);
      expect(res.json).toEqual({ errors: ['Vault is sealed'] });
      expect((await api(sealedDouble.url, 'GET', 'sys/health')).status).toBe(503);
      for (const key of sealedDouble.unsealKeys.slice(0, 2)) await api(sealedDouble.url, 'PUT', 'sys/unseal', { body: { key } });
      expect((await api(sealedDouble.url, 'GET', 'sys/health')).status).toBe(200);
    } finally {
      await sealedDouble.close();
    }
  });
});

describe('time to first byte', () => {
  it('snapshotFirstByteMs holds the snapshot before its first byte, with the request inside the node (state lock shared)', async () => {
    const slow = await startVaultDouble({ snapshotFirstByteMs: 60_000 });
    try {
      const started = pending(fetch(`${slow.url}/v1/sys/storage/raft/snapshot`, { headers: { 'X-Vault-Token': slow.rootToken } }));
      await waitUntil(() => slow.state().nodes[0]?.lock === 'read');
      expect(slow.state().snapshotsServed).toBe(0);
      expect(started.settled()).toBe(false);
    } finally {
      await slow.close();
    }
  });
});

describe('snapshot stream faults', () => {
  it('cut: status 200, then the connection drops after exactly N body bytes and the archive does not verify', async () => {
    double.faults.cutSnapshotAfterBytes = 100_000;
    const file = join(tmp.dir, 'cut.snap');
    const res = await downloadSnapshot(double.url, double.rootToken, file);
    expect(res.status).toBe(200);
    expect(res.complete).toBe(false);
    expect(res.bytes).toBe(100_000);
    await expect(verifySnapshotFile(file)).rejects.toThrow();
  });

  it('stall: the first N bytes arrive and then nothing, with the socket still open', async () => {
    double.faults.stallSnapshotAfterBytes = 50_000;
    let received = 0;
    const req = request(`${double.url}/v1/sys/storage/raft/snapshot`, { headers: { 'X-Vault-Token': double.rootToken } });
    const outcome = await new Promise<string>((resolve) => {
      req.on('response', (res) => {
        res.on('data', (c: Buffer) => {
          received += c.length;
        });
        res.on('end', () => resolve('ended'));
        res.on('error', () => resolve('error'));
      });
      req.on('error', () => resolve('error'));
      req.end();
      setTimeout(() => resolve('still open'), 500);
    });
    req.destroy();
    expect(outcome).toBe('still open');
    expect(received).toBe(50_000);
  });

  it('snapshotContentType overrides the Content-Type', async () => {
    double.faults.snapshotContentType = 'text/html';
    const res = await downloadSnapshot(double.url, double.rootToken, join(tmp.dir, 'ct.snap'));
    expect(res.headers['content-type']).toBe('text/html');
  });

  it('failNext answers the scripted status the given number of times, then the real answer', async () => {
    double.faults.failNext = { path: '/v1/sys/health', status: 503, times: 2 };
    expect((await api(double.url, 'GET', 'sys/health')).status).toBe(503);
    const second = await api(double.url, 'GET', 'sys/health');
    expect(second.status).toBe(503);
    expect(second.json).toEqual({ errors: ['Vault is sealed'] });
    expect((await api(double.url, 'GET', 'sys/health')).status).toBe(200);
  });

  it('failNext with a RegExp and a 429 body', async () => {
    double.faults.failNext = { path: /login$/, status: 429, times: 1 };
    const res = await api(double.url, 'POST', 'auth/approle/login', { body: { role_id: 'x', secret_id: 'y' } });
    expect(res.status).toBe(429);
    expect(res.json).toEqual({ errors: ['rate limit quota exceeded'] });
  });

  it('refuseConnections closes sockets at accept', async () => {
    double.faults.refuseConnections = true;
    await expect(fetch(`${double.url}/v1/sys/health`)).rejects.toThrow();
  });

  it('logs method, path and status of requests', async () => {
    await api(double.url, 'GET', 'sys/seal-status');
    await new Promise((r) => setImmediate(r));
    expect(double.requests.at(-1)).toEqual({ node: 0, method: 'GET', path: '/v1/sys/seal-status', status: 200 });
  });
});
