import { AppError, type Logger, registerSecret, type VaultClient, VaultError } from '@vault-raft-backup/common';
import { formatDuration, pollUntil } from './wait';

/** The fields of `GET sys/seal-status` the runner uses. */
export interface SealStatus {
  type: string;
  initialized: boolean;
  sealed: boolean;
  t: number;
  n: number;
  progress: number;
  version?: string;
  cluster_name?: string;
  cluster_id?: string;
}

/** `GET sys/health`: the status code and the fields the runner reads. */
export interface Health {
  status: number;
  sealed?: boolean;
  standby?: boolean;
  cluster_id?: string;
}

/** What each step needs to talk to one node. */
export interface NodeContext {
  client: VaultClient;
  log: Logger;
  signal: AbortSignal;
  /** Deadline of one wait, in milliseconds. */
  waitMs: number;
  pollMs: number;
}

/**
 * Reads `sys/seal-status` (no token). It waits behind Vault's state lock (held for the whole apply of a
 * restore, and by a follower's unseal while it joins), so callers that poll must expect timeouts.
 * @throws VaultError
 */
export async function readSealStatus(ctx: NodeContext): Promise<SealStatus> {
  return (await ctx.client.request<SealStatus>('GET', 'sys/seal-status', { signal: ctx.signal })).body;
}

/**
 * Reads `sys/health`, which takes no lock (vault/http/sys_health.go reads `Sealed()` and `Standby()`):
 * 200 active, 429 standby, 501 uninitialized, 503 sealed, ...
 * @throws VaultError
 */
export async function readHealth(ctx: NodeContext): Promise<Health> {
  const res = await ctx.client.request<Omit<Health, 'status'> | undefined>('GET', 'sys/health', { signal: ctx.signal, allowStatus: [429, 472, 473, 501, 503] });
  return { status: res.status, ...(res.body ?? {}) };
}

/** True for a failure that polling should ride out: no answer in time, a broken connection, or a 5xx. */
export function isTransient(err: unknown): err is VaultError {
  return err instanceof VaultError && (err.code === 'VAULT_UNREACHABLE' || (err.status !== undefined && err.status >= 500));
}

/** Runs a call that may hit the state lock: its value, or why it had none (transient failures only). @throws non-transient errors */
export async function attempt<T>(call: () => Promise<T>): Promise<{ value: T } | { failed: string }> {
  try {
    return { value: await call() };
  } catch (err) {
    if (!isTransient(err)) throw err;
    return { failed: err.message };
  }
}

/**
 * Waits until the node answers `sys/seal-status`: a Vault that is still starting refuses
 * connections, so network errors, timeouts and 5xx are ridden out until the deadline.
 * @throws VaultError VAULT_TIMEOUT when it never answers.
 */
export async function waitForVault(ctx: NodeContext): Promise<SealStatus> {
  let lastError = 'no answer yet';
  let nextLog = Date.now() + 10_000;
  return pollUntil(
    async () => {
      const got = await attempt(() => readSealStatus(ctx));
      if ('value' in got) return got.value;
      lastError = got.failed;
      if (Date.now() >= nextLog) {
        ctx.log.info('waiting for Vault to answer', { vaultAddr: ctx.client.addr, lastError });
        nextLog = Date.now() + 10_000;
      }
      return undefined;
    },
    {
      deadline: Date.now() + ctx.waitMs,
      intervalMs: ctx.pollMs,
      signal: ctx.signal,
      onTimeout: () =>
        new VaultError('VAULT_TIMEOUT', `Vault at ${ctx.client.addr} did not answer sys/seal-status within ${formatDuration(ctx.waitMs)} (${lastError}): check that the vault container runs and listens there, or raise RESTORE_WAIT_TIMEOUT`, { path: 'sys/seal-status' }),
    },
  );
}

/** Waits until `sys/health` says active (200), riding out slow answers. @throws VaultError VAULT_TIMEOUT */
export async function waitActive(ctx: NodeContext): Promise<void> {
  let last = 'no answer yet';
  await pollUntil(
    async () => {
      const got = await attempt(() => readHealth(ctx));
      if ('failed' in got) {
        last = got.failed;
        return undefined;
      }
      last = `sys/health answers ${got.value.status}${got.value.status === 503 ? ': sealed' : ''}`;
      return got.value.status === 200 ? true : undefined;
    },
    {
      deadline: Date.now() + ctx.waitMs,
      intervalMs: ctx.pollMs,
      signal: ctx.signal,
      onTimeout: () => new VaultError('VAULT_TIMEOUT', `Vault at ${ctx.client.addr} did not become active within ${formatDuration(ctx.waitMs)} (${last})`, { path: 'sys/health' }),
    },
  );
}

/** Seal types whose init takes recovery shares: every seal but Shamir (vault/seal types; OpenBao adds static, ovhcloud, tcloudpublic). */
export const KNOWN_SEAL_TYPES: readonly string[] = ['shamir', 'awskms', 'gcpckms', 'azurekeyvault', 'ocikms', 'alicloudkms', 'transit', 'pkcs11', 'kmip', 'static', 'ovhcloud', 'tcloudpublic'];

/** True for the seal types whose init takes recovery shares (every auto-unseal seal). */
export function isAutoUnseal(type: string): boolean {
  return type !== 'shamir';
}

/** The `PUT sys/init` body: Shamir takes secret shares, auto-unseal seals take recovery shares. */
export function initRequest(type: string, shares: number, threshold: number): Record<string, number> {
  return isAutoUnseal(type) ? { recovery_shares: shares, recovery_threshold: threshold } : { secret_shares: shares, secret_threshold: threshold };
}

/** Temporary credentials of the fresh init. */
export interface TemporaryInit {
  unsealKeys: string[];
  rootToken: string;
}

interface InitResponse {
  keys?: string[];
  keys_base64?: string[];
  recovery_keys?: string[];
  recovery_keys_base64?: string[];
  root_token?: string;
}

/** Initializes the node with the parameter family of its seal type. @throws VaultError, AppError RESTORE_FAILED (also for an unknown seal type, before any request) */
export async function initVault(ctx: NodeContext, type: string, shares: number, threshold: number): Promise<TemporaryInit> {
  if (!KNOWN_SEAL_TYPES.includes(type)) {
    throw new AppError('RESTORE_FAILED', `Vault at ${ctx.client.addr} reports seal type "${type}", which restore-runner does not know (known: ${KNOWN_SEAL_TYPES.join(', ')}): not initializing it`);
  }
  const res = await ctx.client.request<InitResponse>('PUT', 'sys/init', { json: initRequest(type, shares, threshold), signal: ctx.signal });
  const body = res.body ?? {};
  for (const k of [...(body.keys ?? []), ...(body.keys_base64 ?? []), ...(body.recovery_keys ?? []), ...(body.recovery_keys_base64 ?? [])]) registerSecret(k);
  registerSecret(body.root_token);
  if (typeof body.root_token !== 'string' || body.root_token === '') throw new AppError('RESTORE_FAILED', `Vault at ${ctx.client.addr} answered PUT /v1/sys/init without a root token`);
  return { unsealKeys: body.keys_base64 ?? body.keys ?? [], rootToken: body.root_token };
}
