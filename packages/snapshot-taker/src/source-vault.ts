import { type Logger, type SourceVault, type VaultClient, VaultError } from '@vault-raft-backup/common';
import { z } from 'zod';

export const SEAL_STATUS_PATH = 'sys/seal-status';

/**
 * The fields of `GET sys/seal-status` a restore needs (`SealStatusResponse`, api/sys_seal.go;
 * filled by `Core.GetSealStatus`, internal/vault/logical_system.go). `t`/`n` are the recovery
 * config's for seals with recovery keys, the barrier config's for Shamir.
 */
const sealStatusSchema = z
  .object({
    type: z.string().min(1),
    initialized: z.boolean().optional(),
    t: z.number().int().min(0).max(255),
    n: z.number().int().min(0).max(255),
    recovery_seal: z.boolean().optional(),
    version: z.string().optional(),
    cluster_id: z.string().optional(),
    cluster_name: z.string().optional(),
    storage_type: z.string().optional(),
  })
  .refine((s) => s.initialized !== false, { message: 'Vault says it is not initialized' })
  .refine((s) => s.t <= s.n, { message: 'threshold t is larger than shares n' })
  // SealConfig.Validate (internal/vault/seal.go): a barrier (Shamir) config has at least one share; recovery configs may have none
  .refine((s) => s.recovery_seal === true || s.t >= 1, { message: 'a Shamir seal with threshold t 0' });

/** What reading the source's seal facts gave: the facts, or why there are none. */
export type SealFactsResult = { vault: SourceVault } | { problem: string };

function toSourceVault(s: z.output<typeof sealStatusSchema>): SourceVault {
  return {
    sealType: s.type,
    ...(s.recovery_seal !== undefined ? { recoverySeal: s.recovery_seal } : {}),
    shares: s.n,
    threshold: s.t,
    ...(s.version ? { version: s.version } : {}),
    ...(s.cluster_id ? { clusterId: s.cluster_id } : {}),
    ...(s.cluster_name ? { clusterName: s.cluster_name } : {}),
    ...(s.storage_type ? { storageType: s.storage_type } : {}),
  };
}

/**
 * Reads `GET sys/seal-status` (no token) from `client`'s node and keeps the facts a restore needs.
 * Never rejects: a failure or a malformed answer comes back as `{ problem }`.
 */
export async function readSealFacts(client: VaultClient, signal: AbortSignal): Promise<SealFactsResult> {
  let body: unknown;
  try {
    body = (await client.request('GET', SEAL_STATUS_PATH, { idempotent: true, signal })).body;
  } catch (err) {
    if (signal.aborted) return { problem: `no answer from GET /v1/${SEAL_STATUS_PATH} at ${client.addr} in time` };
    return { problem: err instanceof VaultError ? err.message : `GET /v1/${SEAL_STATUS_PATH} at ${client.addr} failed: ${String(err)}` };
  }
  const parsed = sealStatusSchema.safeParse(body);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => (i.path.length > 0 ? `${i.path.join('.')} ${i.message}` : i.message)).join('; ');
    return { problem: `GET /v1/${SEAL_STATUS_PATH} at ${client.addr} answered something that is not a seal status: ${issues}` };
  }
  return { vault: toSourceVault(parsed.data) };
}

/** Logs why the sidecar has no seal facts and what a restore then needs; returns the facts, if any. */
export function sealFactsOrWarn(result: SealFactsResult, log: Logger): SourceVault | undefined {
  if ('vault' in result) return result.vault;
  log.warn("could not read the source Vault's seal status: the sidecar has no seal facts, so a restore of this snapshot must be given the source's unseal threshold by hand (RESTORE_INIT_THRESHOLD)", {
    error: result.problem,
  });
  return undefined;
}
