import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A Vault API answer as the tests look at it. */
export interface ApiAnswer {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: tests inspect arbitrary Vault JSON
  json: any;
  text: string;
}

/**
 * Calls the double over real HTTP, one connection per call (no keep-alive), so a connection dropped by a
 * restart of a node never turns up again in a later call.
 */
export function api(base: string, method: string, path: string, opts: { token?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<ApiAnswer> {
  const headers: Record<string, string> = { ...(opts.token ? { 'X-Vault-Token': opts.token } : {}), ...opts.headers };
  const body = opts.body === undefined ? undefined : JSON.stringify(opts.body);
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  return new Promise((resolve, reject) => {
    const req = request(`${base}/v1/${path}`, { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        let json: unknown;
        try {
          json = text ? JSON.parse(text) : undefined;
        } catch {
          json = undefined;
        }
        const answerHeaders = new Headers();
        for (const [name, value] of Object.entries(res.headers)) if (typeof value === 'string') answerHeaders.set(name, value);
        resolve({ status: res.statusCode ?? 0, headers: answerHeaders, json, text });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** A temp folder removed by `cleanup`. */
export async function tempDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'vault-double-test-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Streams GET sys/storage/raft/snapshot into a file with node:http; resolves with what arrived even when the body is cut. */
export function downloadSnapshot(base: string, token: string, file: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; bytes: number; complete: boolean }> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}/v1/sys/storage/raft/snapshot`, { headers: { 'X-Vault-Token': token } }, (res) => {
      const out = createWriteStream(file);
      let complete = false;
      // No pause on backpressure: a paused response drops what it buffered when the connection is cut.
      res.on('data', (chunk: Buffer) => out.write(chunk));
      res.on('end', () => {
        complete = true;
      });
      res.on('error', () => undefined);
      res.on('close', () => {
        out.end(async () => resolve({ status: res.statusCode ?? 0, headers: res.headers, bytes: (await stat(file)).size, complete }));
      });
    });
    req.on('error', reject);
    req.end();
  });
}

/** POSTs a snapshot file as the raw body (streamed). */
export function uploadSnapshot(base: string, token: string, file: string, force: boolean): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const path = `/v1/sys/storage/raft/snapshot${force ? '-force' : ''}`;
    const req = request(`${base}${path}`, { method: 'POST', headers: { 'X-Vault-Token': token, 'Content-Type': 'application/octet-stream' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    createReadStream(file).pipe(req);
  });
}

/** Polls until `check` returns true (bounded by count, not asserted on time). */
export async function waitUntil(check: () => Promise<boolean> | boolean, tries = 200, delayMs = 25): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, delayMs));
  }
  throw new Error('condition not reached');
}

export const SNAPSHOT_POLICY = 'path "sys/storage/raft/snapshot" {\n  capabilities = ["read"]\n}\n';

/** A request left running: whether it has answered, and its outcome (an error when its socket was dropped). */
export interface Pending<T> {
  settled: () => boolean;
  outcome: Promise<T | Error>;
}

/** Starts `promise` without awaiting it; a rejection becomes the outcome instead of an unhandled error. */
export function pending<T>(promise: Promise<T>): Pending<T> {
  let done = false;
  const outcome = promise.then(
    (value) => value,
    (err: unknown) => (err instanceof Error ? err : new Error(String(err))),
  );
  void outcome.then(() => {
    done = true;
  });
  return { settled: () => done, outcome };
}

/** Sends each key to `sys/unseal` in turn; returns the last answer. */
export async function unsealWith(base: string, keys: string[]): Promise<ApiAnswer> {
  let last: ApiAnswer | undefined;
  for (const key of keys) last = await api(base, 'PUT', 'sys/unseal', { body: { key } });
  if (!last) throw new Error('no keys given');
  return last;
}
