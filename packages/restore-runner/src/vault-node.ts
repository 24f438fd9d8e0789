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

/** Reads `sys/seal-status` (no token). @throws VaultError */
export async function readSealStatus(ctx: NodeContext): Promise<SealStatus> {
  return (await ctx.client.request<SealStatus>('GET', 'sys/seal-status', { signal: ctx.signal })).body;
}

/** `GET sys/health` status: 200 active, 429 standby, 501 uninitialized, 503 sealed, ... */
export async function readHealth(ctx: NodeContext): Promise<number> {
  const res = await ctx.client.request('GET', 'sys/health', { signal: ctx.signal, allowStatus: [429, 472, 473, 501, 503] });
  return res.status;
}

/**
 * Waits until the node answers `sys/seal-status`: a Vault that is still starting refuses
 * connections, so network errors and 5xx are retried until the deadline.
 * @throws VaultError VAULT_TIMEOUT when it never answers.
 */
export async function waitForVault(ctx: NodeContext): Promise<SealStatus> {
  let lastError = 'no answer yet';
  let nextLog = Date.now() + 10_000;
  return pollUntil(
    async () => {
      try {
        return await readSealStatus(ctx);
      } catch (err) {
        if (!(err instanceof VaultError) || (err.status !== undefined && err.status < 500)) throw err;
        lastError = err.message;
        if (Date.now() >= nextLog) {
          ctx.log.info('waiting for Vault to answer', { vaultAddr: ctx.client.addr, lastError });
          nextLog = Date.now() + 10_000;
        }
        return undefined;
      }
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

/** Waits until `sys/health` says active (200). @throws VaultError VAULT_TIMEOUT */
export async function waitActive(ctx: NodeContext): Promise<void> {
  let last = 0;
  await pollUntil(
    async () => {
      last = await readHealth(ctx);
      return last === 200 ? true : undefined;
    },
    {
      deadline: Date.now() + ctx.waitMs,
      intervalMs: ctx.pollMs,
      signal: ctx.signal,
      onTimeout: () => new VaultError('VAULT_TIMEOUT', `Vault at ${ctx.client.addr} did not become active within ${formatDuration(ctx.waitMs)} (sys/health answers ${last}${last === 503 ? ': sealed' : ''})`, { path: 'sys/health', status: last }),
    },
  );
}

/** True for the seal types whose init takes recovery shares (every auto-unseal seal). */
export function isAutoUnseal(type: string): boolean {
  return type !== 'shamir';
}

/** The `PUT sys/init` body: Shamir takes secret shares, auto-unseal seals take recovery shares. */
export function initRequest(type: string, shares: number, threshold: number): Record<string, number> {
  return isAutoUnseal(type) ? { recovery_shares: shares, recovery_threshold: threshold } : { secret_shares: shares, secret_threshold: threshold };
}

/** Temporary credentials of the fresh init: held in memory only. */
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

/** Seal types Vault documents; any other type could need another init parameter family, so it is never guessed. */
export const KNOWN_SEAL_TYPES: readonly string[] = ['shamir', 'awskms', 'gcpckms', 'azurekeyvault', 'ocikms', 'alicloudkms', 'transit', 'pkcs11', 'kmip'];

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
