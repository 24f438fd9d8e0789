import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

/** A real `vault` cluster (one or more `vault server` processes, raft storage) on loopback, for the manual check and the round-trip demo. */
export interface RealVault {
  /** Node 0's address (the one that is initialized, so the leader). */
  url: string;
  /** Every node's address, node 0 first. */
  nodes: string[];
  rootToken: string;
  unsealKeys: string[];
  /** Raw API call to node 0 with the root token (or `token`); returns status and parsed body. */
  api(method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; body: unknown }>;
  close(): Promise<void>;
}

/** Options of {@link startRealVault}. */
export interface RealVaultOptions {
  /** Initialize node 0, unseal it and mount KV v1 at secret/ (default true). */
  initialize?: boolean;
  /** Shamir shares and threshold of that init (default 5 / 3). */
  shares?: number;
  threshold?: number;
  /** Number of `vault server` processes; more than one forms a raft cluster with retry_join, as the Helm chart's HA mode (default 1). */
  nodes?: number;
  binary?: string;
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

interface NodePorts {
  api: number;
  cluster: number;
}

/** The config of node `i`: raft storage, and with several nodes a retry_join stanza per node (the chart's HA raft). */
function configHcl(dir: string, i: number, ports: NodePorts[]): string {
  const own = ports[i] as NodePorts;
  const joins = ports.length > 1 ? ports.map((p) => `  retry_join {\n    leader_api_addr = "http://127.0.0.1:${p.api}"\n  }\n`).join('') : '';
  return `storage "raft" {
  path    = "${dir}/raft-${i}"
  node_id = "node-${i}"
${joins}}
listener "tcp" {
  address           = "127.0.0.1:${own.api}"
  cluster_address   = "127.0.0.1:${own.cluster}"
  tls_disable       = true
  http_read_timeout = "10m"
}
api_addr      = "http://127.0.0.1:${own.api}"
cluster_addr  = "https://127.0.0.1:${own.cluster}"
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

async function waitHealth(url: string, ok: (status: number) => boolean, what: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    const res = await fetch(`${url}/v1/sys/health`).catch(() => undefined);
    if (res && ok(res.status)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`vault at ${url} did not become ${what}`);
}

/** Initializes node 0 with Shamir shares/threshold, unseals every node with the threshold of keys, mounts KV v1. */
async function initialize(urls: string[], shares: number, threshold: number): Promise<{ rootToken: string; unsealKeys: string[] }> {
  const [leader = '', ...followers] = urls;
  const init = (await call(leader, 'PUT', 'sys/init', { secret_shares: shares, secret_threshold: threshold })).body as { keys_base64: string[]; root_token: string };
  const keys = init.keys_base64.slice(0, threshold);
  for (const key of keys) await call(leader, 'PUT', 'sys/unseal', { key });
  await waitHealth(leader, (s) => s === 200, 'active');
  for (const follower of followers) {
    // a follower in join mode answers the last key only once it joined, then unseals in the background
    for (const key of keys) await call(follower, 'PUT', 'sys/unseal', { key });
    await waitHealth(follower, (s) => s === 429, 'an unsealed standby');
  }
  await call(leader, 'POST', 'sys/mounts/secret', { type: 'kv', options: { version: '1' } }, init.root_token);
  return { rootToken: init.root_token, unsealKeys: init.keys_base64 };
}

/**
 * Starts `vault server` processes with raft storage in a temp dir. With `initialize` (default) node 0 is
 * initialized with Shamir 5/3 (or the given shares/threshold), every node is unsealed, and KV v1 is at secret/.
 * @throws Error when no vault binary is found or it fails to start.
 */
export async function startRealVault(options: RealVaultOptions = {}): Promise<RealVault> {
  const binary = options.binary ?? findVaultBinary();
  if (!binary) throw new Error('no vault binary: set VAULT_BIN or put vault on PATH');
  const dir = mkdtempSync(join(tmpdir(), 'real-vault-'));
  const ports: NodePorts[] = [];
  for (let i = 0; i < Math.max(1, options.nodes ?? 1); i++) ports.push({ api: await freePort(), cluster: await freePort() });
  const urls = ports.map((p) => `http://127.0.0.1:${p.api}`);
  const children: ChildProcess[] = [];
  const close = async () => {
    for (const child of children) child.kill('SIGTERM');
    await Promise.all(children.map((child) => new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)))));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (const [i, url] of urls.entries()) {
      mkdirSync(join(dir, `raft-${i}`));
      writeFileSync(join(dir, `config-${i}.hcl`), configHcl(dir, i, ports));
      const child = spawn(binary, ['server', `-config=${join(dir, `config-${i}.hcl`)}`], { stdio: 'ignore' });
      children.push(child);
      await waitListening(url, child);
    }
    const creds = options.initialize === false ? { rootToken: '', unsealKeys: [] } : await initialize(urls, options.shares ?? 5, options.threshold ?? 3);
    return { url: urls[0] ?? '', nodes: urls, ...creds, api: (m, p, b, t) => call(urls[0] ?? '', m, p, b, t ?? creds.rootToken), close };
  } catch (err) {
    await close();
    throw err;
  }
}
