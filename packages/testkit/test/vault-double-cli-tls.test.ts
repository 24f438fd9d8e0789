import { type ChildProcess, spawn } from 'node:child_process';
import { request } from 'node:https';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createTestPki, startVaultDouble, type TestPki } from '../src/index';
import { api } from './vault-double-helpers';

let pki: TestPki;
let child: ChildProcess | undefined;

beforeAll(async () => {
  pki = createTestPki();
});
afterAll(async () => {
  child?.kill('SIGKILL');
  pki.remove();
});

describe('HTTPS', () => {
  it('serves sys/health over TLS with the given certificate', async () => {
    const double = await startVaultDouble({ tls: { cert: pki.cert, key: pki.key } });
    try {
      expect(double.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const status = await new Promise<number>((resolve, reject) => {
        const req = request(`${double.url}/v1/sys/health`, { ca: pki.caCert }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end();
      });
      expect(status).toBe(200);
    } finally {
      await double.close();
    }
  });
});

describe('vault-double CLI (bundled)', () => {
  it('prints one JSON line with urls, root token, keys and an AppRole that can take a snapshot, and stops on SIGTERM', async () => {
    // The launcher as built by `npm run build` (it reads the project's policy relative to the repository).
    const bundle = join(__dirname, '..', 'dist', 'vault-double.js');
    if (!existsSync(bundle)) throw new Error(`${bundle} is missing: run npm run build -w @vault-raft-backup/testkit first`);
    const proc = spawn(process.execPath, [bundle, '--nodes', '2', '--approle-role', 'backup'], { env: { ...process.env, VAULT_DOUBLE_SEAL_TYPE: 'shamir' }, stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    const line = await new Promise<string>((resolve, reject) => {
      let out = '';
      proc.stdout?.on('data', (c: Buffer) => {
        out += c.toString();
        if (out.includes('\n')) resolve(out.split('\n')[0] ?? '');
      });
      proc.on('exit', (code) => reject(new Error(`exited ${code}`)));
    });
    const info = JSON.parse(line);
    expect(info.nodes).toHaveLength(2);
    expect(info.unsealKeys).toHaveLength(5);
    const login = await api(info.url, 'POST', 'auth/approle/login', { body: { role_id: info.roleId, secret_id: info.secretId } });
    const snap = await fetch(`${info.url}/v1/sys/storage/raft/snapshot`, { headers: { 'X-Vault-Token': login.json.auth.client_token } });
    expect(snap.status).toBe(200);
    await snap.arrayBuffer();
    const code = await new Promise<number | null>((resolve) => {
      proc.on('exit', (c) => resolve(c));
      proc.kill('SIGTERM');
    });
    child = undefined;
    expect(code).toBe(0);
  });
});

describe('vault-double CLI options', () => {
  it('passes the new options from flags and VAULT_DOUBLE_* variables: flavour, version, join mode timings', async () => {
    const bundle = join(__dirname, '..', 'dist', 'vault-double.js');
    const args = [bundle, '--nodes', '2', '--initialized', 'false', '--flavor', 'openbao', '--join-interval-ms', '20', '--restore-apply-ms', '10', '--snapshot-first-byte-ms', '5'];
    const proc = spawn(process.execPath, args, { env: { ...process.env, VAULT_DOUBLE_VERSION: '2.5.1', VAULT_DOUBLE_JOIN_DELAY_MS: '5' }, stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    const line = await new Promise<string>((resolve, reject) => {
      let out = '';
      proc.stdout?.on('data', (c: Buffer) => {
        out += c.toString();
        if (out.includes('\n')) resolve(out.split('\n')[0] ?? '');
      });
      proc.on('exit', (code) => reject(new Error(`exited ${code}`)));
    });
    const info = JSON.parse(line);
    expect(info.unsealKeys).toEqual([]);
    const follower = await api(info.nodes[1], 'GET', 'sys/seal-status');
    expect(follower.json).toMatchObject({ initialized: false, version: '2.5.1' });
    expect(follower.json).toHaveProperty('commit_date');
    proc.kill('SIGTERM');
    child = undefined;
  });

  it('exits 1 with the reason for a seal type the flavour does not have', async () => {
    const bundle = join(__dirname, '..', 'dist', 'vault-double.js');
    const proc = spawn(process.execPath, [bundle, '--seal-type', 'static'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    proc.stderr?.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    const code = await new Promise<number | null>((resolve) => proc.on('exit', resolve));
    expect(code).toBe(1);
    expect(stderr).toContain('seal type "static" is not available in vault');
  });
});
