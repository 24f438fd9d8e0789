import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

/** A real `vault` server with raft storage on loopback, for the manual check and the round-trip demo. */
export interface RealVault {
  url: string;
  rootToken: string;
  unsealKeys: string[];
  /** Raw API call with the root token (or `token`); returns status and parsed body. */
  api(method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; body: unknown }>;
  close(): Promise<void>;
}

/** The `vault` binary: `$VAULT_BIN`, else the first `vault` on PATH, else undefined. */
export function findVaultBinary(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.VAULT_BIN) return env.VAULT_BIN;
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, 'vault');
    if (spawnSync(candidate, ['version'], { stdio: 'ignore' }).status === 0) return candidate;
  }
  return undefined;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise((r) => server.close(r));
  return port;
}

function configHcl(dir: string, port: number, clusterPort: number): string {
  return `storage "raft" {
  path    = "${dir}/raft"
  node_id = "node-0"
}
listener "tcp" {
  address           = "127.0.0.1:${port}"
  cluster_address   = "127.0.0.1:${clusterPort}"
  tls_disable       = true
  http_read_timeout = "10m"
}
api_addr      = "http://127.0.0.1:${port}"
cluster_addr  = "http://127.0.0.1:${clusterPort}"
disable_mlock = true
ui            = false
`;
}

async function call(url: string, method: string, path: string, body: unknown, token?: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${url}/v1/${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { 'x-vault-token': token } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

async function waitListening(url: string, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`vault server exited with ${child.exitCode}`);
    try {
      await fetch(`${url}/v1/sys/seal-status`);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`vault server did not listen on ${url}`);
}

/**
 * Starts `vault server` with raft storage in a temp dir. With `initialize` (default) it is
 * initialized with one key share, unsealed, and has a KV v1 engine at secret/.
 * @throws Error when no vault binary is found or it fails to start.
 */
export async function startRealVault(options: { initialize?: boolean; binary?: string } = {}): Promise<RealVault> {
  const binary = options.binary ?? findVaultBinary();
  if (!binary) throw new Error('no vault binary: set VAULT_BIN or put vault on PATH');
  const dir = mkdtempSync(join(tmpdir(), 'real-vault-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  writeFileSync(join(dir, 'config.hcl'), configHcl(dir, port, await freePort()));
  mkdirSync(join(dir, 'raft'));
  const child = spawn(binary, ['server', `-config=${join(dir, 'config.hcl')}`], { stdio: 'ignore' });
  const close = async () => {
    child.kill('SIGTERM');
    await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitListening(url, child);
    let rootToken = '';
    let unsealKeys: string[] = [];
    if (options.initialize ?? true) {
      const init = (await call(url, 'PUT', 'sys/init', { secret_shares: 1, secret_threshold: 1 })).body as { keys_base64: string[]; root_token: string };
      rootToken = init.root_token;
      unsealKeys = init.keys_base64;
      for (const key of unsealKeys) await call(url, 'PUT', 'sys/unseal', { key });
      await waitActive(url);
      await call(url, 'POST', 'sys/mounts/secret', { type: 'kv', options: { version: '1' } }, rootToken);
    }
    return { url, rootToken, unsealKeys, api: (m, p, b, t) => call(url, m, p, b, t ?? rootToken), close };
  } catch (err) {
    await close();
    throw err;
  }
}

async function waitActive(url: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const res = await fetch(`${url}/v1/sys/health`).catch(() => undefined);
    if (res?.status === 200) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('vault did not become active');
}
