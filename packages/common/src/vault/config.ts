import { z } from 'zod';
import { bool, COUNT_MAX, duration, httpUrl, size } from '../config/fields';
import type { Logger } from '../log';
import { VaultClient } from './client';
import { DEFAULT_RETRY } from './retry';
import { DEFAULT_SPEED_FLOOR } from '../transfer-guard';

/** An optional whole number of retries: unset means no cap. */
const retryCap = z
  .string()
  .optional()
  .transform((v, ctx) => {
    if (v === undefined) return undefined;
    const n = /^\d+$/.test(v.trim()) ? Number(v.trim()) : Number.NaN;
    if (!(n >= 0 && n <= COUNT_MAX)) {
      ctx.addIssue({ code: 'custom', message: `must be a whole number from 0 to ${COUNT_MAX}` });
      return z.NEVER;
    }
    return n;
  });

/** Connection variables every Vault-facing entrypoint accepts, spread into its own schema. */
export const vaultConnectionShape = {
  VAULT_ADDR: httpUrl('http://127.0.0.1:8200').describe('Vault address; in Kubernetes the <release>-active service, e.g. http://vault-active.vault.svc:8200'),
  VAULT_CACERT: z.string().optional().describe('PEM file of the CA that signed Vault\'s TLS certificate'),
  VAULT_SKIP_VERIFY: bool(false).describe('Skip TLS certificate verification (insecure; for tests only)'),
  VAULT_NAMESPACE: z.string().optional().describe('Vault Enterprise namespace for auth calls (sys/ raft endpoints always use the root namespace)'),
  VAULT_TIMEOUT: duration('30s').describe('Timeout of one Vault API call, and of connecting for a snapshot transfer'),
  VAULT_RETRY_TIMEOUT: duration('60s').describe('Time budget for retrying a call that is safe to repeat after a network error, 429 or 5xx (backoff with full jitter, Retry-After honoured): rides out a leader election or a restart of the active pod'),
  VAULT_MAX_RETRIES: retryCap.describe('Optional cap on the number of those retries; unset = the time budget alone decides'),
};

/** Speed floor of the snapshot transfers, for the entrypoints that move a snapshot (curl's --speed-limit/--speed-time). */
export const vaultTransferShape = {
  VAULT_TRANSFER_MIN_SPEED: size('1KiB', { min: 1, max: 1024 ** 3 }).describe('Speed floor of a snapshot transfer to or from Vault, in bytes per second (e.g. 1KiB)'),
  VAULT_TRANSFER_SPEED_TIME: duration('2m', { min: 1000 }).describe('A snapshot transfer slower than VAULT_TRANSFER_MIN_SPEED on average over this long is ended'),
};

export type VaultConnectionConfig = {
  VAULT_ADDR: string;
  VAULT_CACERT?: string | undefined;
  VAULT_SKIP_VERIFY: boolean;
  VAULT_NAMESPACE?: string | undefined;
  VAULT_TIMEOUT: number;
  VAULT_RETRY_TIMEOUT: number;
  VAULT_MAX_RETRIES?: number | undefined;
  VAULT_TRANSFER_MIN_SPEED?: number | undefined;
  VAULT_TRANSFER_SPEED_TIME?: number | undefined;
};

/** Builds a Vault client from the shared connection variables. @throws ConfigError when VAULT_CACERT is unreadable. */
export function vaultClientFromConfig(config: VaultConnectionConfig, log: Logger, token?: string): VaultClient {
  return new VaultClient({
    addr: config.VAULT_ADDR,
    caCertPath: config.VAULT_CACERT,
    skipVerify: config.VAULT_SKIP_VERIFY,
    namespace: config.VAULT_NAMESPACE,
    timeoutMs: config.VAULT_TIMEOUT,
    retry: { ...DEFAULT_RETRY, timeoutMs: config.VAULT_RETRY_TIMEOUT, maxRetries: config.VAULT_MAX_RETRIES },
    floor: {
      minBytesPerSecond: config.VAULT_TRANSFER_MIN_SPEED ?? DEFAULT_SPEED_FLOOR.minBytesPerSecond,
      windowMs: config.VAULT_TRANSFER_SPEED_TIME ?? DEFAULT_SPEED_FLOOR.windowMs,
    },
    token,
    log,
  });
}
