import { z } from 'zod';
import { bool, count, duration, httpUrl } from '../config/fields';
import type { Logger } from '../log';
import { VaultClient } from './client';
import { DEFAULT_RETRY } from './retry';

/** Connection variables every Vault-facing entrypoint accepts, spread into its own schema. */
export const vaultConnectionShape = {
  VAULT_ADDR: httpUrl('http://127.0.0.1:8200').describe('Vault address; in Kubernetes the <release>-active service, e.g. http://vault-active.vault.svc:8200'),
  VAULT_CACERT: z.string().optional().describe('PEM file of the CA that signed Vault\'s TLS certificate'),
  VAULT_SKIP_VERIFY: bool(false).describe('Skip TLS certificate verification (insecure; for tests only)'),
  VAULT_NAMESPACE: z.string().optional().describe('Vault Enterprise namespace for auth calls (sys/ raft endpoints always use the root namespace)'),
  VAULT_TIMEOUT: duration('30s').describe('Timeout of one Vault API call, and of the first byte of a stream'),
  VAULT_MAX_RETRIES: count(DEFAULT_RETRY.retries).describe('Retries of an idempotent Vault call after a network error, 429 or 5xx (exponential backoff)'),
};

export type VaultConnectionConfig = {
  VAULT_ADDR: string;
  VAULT_CACERT?: string | undefined;
  VAULT_SKIP_VERIFY: boolean;
  VAULT_NAMESPACE?: string | undefined;
  VAULT_TIMEOUT: number;
  VAULT_MAX_RETRIES: number;
};

/** Builds a Vault client from the shared connection variables. @throws ConfigError when VAULT_CACERT is unreadable. */
export function vaultClientFromConfig(config: VaultConnectionConfig, log: Logger, token?: string): VaultClient {
  return new VaultClient({
    addr: config.VAULT_ADDR,
    caCertPath: config.VAULT_CACERT,
    skipVerify: config.VAULT_SKIP_VERIFY,
    namespace: config.VAULT_NAMESPACE,
    timeoutMs: config.VAULT_TIMEOUT,
    retry: { ...DEFAULT_RETRY, retries: config.VAULT_MAX_RETRIES },
    token,
    log,
  });
}
