import { bool, duration, type EnvSpec, httpUrlList, required, runTimeout, vaultConnectionShape, vaultTransferShape } from '@vault-raft-backup/common';
import { z } from 'zod';
import { metricsEnvShape } from '@vault-raft-backup/common';

/** A positive integer, or unset. */
const optionalCount = z
  .string()
  .optional()
  .transform((v, ctx) => {
    if (v === undefined) return undefined;
    if (!/^\d{1,3}$/.test(v.trim())) {
      ctx.addIssue({ code: 'custom', message: 'must be a whole number' });
      return z.NEVER;
    }
    return Number(v.trim());
  });

const schema = z
  .object({
    ...vaultConnectionShape,
    ...vaultTransferShape,
    RUN_TIMEOUT: runTimeout('2h'),
    VAULT_ADDR: vaultConnectionShape.VAULT_ADDR.describe("Vault address: the pod's own loopback, as the sidecar shares the Vault container's network"),
    SNAPSHOT_FILE: required('path').describe('Snapshot to restore (written and verified by restore-fetcher, with its .json sidecar next to it)'),
    ...metricsEnvShape,
    RESTORE_POD: z.string().optional().describe('Pod that restores, matched against HOSTNAME; unset = StatefulSet ordinal 0 (HOSTNAME ends in -0)'),
    HOSTNAME: z.string().optional().describe("This pod's name (set it from the pod name); unset = the system host name"),
    VAULT_UNSEAL_KEYS: z.string().optional().describe("The SOURCE cluster's unseal keys: one per line, or the JSON of `vault operator init -format=json` (Shamir only)"),
    VAULT_UNSEAL_KEYS_FILE: z
      .string()
      .optional()
      .describe('A file with the SOURCE cluster\'s unseal keys (as VAULT_UNSEAL_KEYS); read only when this pod restores, so a deleted keys Secret does not stop a pod that has nothing to do'),
    RESTORE_VERIFY_TOKEN: z.string().optional().describe('A token of the SOURCE cluster that must work after the restore (checked with lookup-self)'),
    VAULT_TOKEN: z.string().optional().describe('Only with RESTORE_FORCE_OVER_INITIALIZED: a token of the live cluster with update on sys/storage/raft/snapshot-force'),
    RESTORE_EXIT_WHEN_DONE: bool(false).describe('Exit 0 when done instead of idling until SIGTERM (for Jobs and tests; a pod sidecar must idle)'),
    RESTORE_FORCE_OVER_INITIALIZED: bool(false).describe('DANGER: restore even though Vault is already initialized, replacing all live data'),
    RESTORE_INIT_SHARES: optionalCount.describe("Key shares of the temporary init; unset = the source cluster's (from the snapshot's sidecar)"),
    RESTORE_INIT_THRESHOLD: optionalCount.describe("Threshold of the temporary init; unset = the source cluster's. It must be at least the source's, or the source keys do not combine until Vault restarts"),
    RESTORE_ALLOW_OLDER_VAULT: bool(false).describe('Restore a snapshot taken by a newer Vault minor version than this one (Vault supports upgrades, not downgrades)'),
    RESTORE_WAIT_TIMEOUT: duration('10m').describe('Deadline of each wait: for Vault to answer, to become active, for the restore to apply, for followers to unseal'),
    RESTORE_PEER_ADDRS: httpUrlList({ originOnly: true }).describe('Comma-separated follower addresses the restore pod unseals with the source keys, e.g. http://vault-1.vault-internal:8200,http://vault-2.vault-internal:8200'),
    RESTORE_MARKER_FILE: z.string().optional().describe('Marker written after a successful restore; default <SNAPSHOT_FILE>.restored'),
    RESTORE_REPORT_FILE: z.string().optional().describe('JSON report of the restore (no secrets); default <SNAPSHOT_FILE>.report.json'),
    RESTORE_DRILL: bool(false).describe('Restore drill: never wait for an operator; report the levels reached (1 applied, 2 unsealed and active, 3 source token valid, 4 canary) and exit 1 below the required level'),
    RESTORE_DRILL_MIN_LEVEL: z
      .enum(['1', '2', '3', '4'], { error: 'must be 1, 2, 3 or 4' })
      .optional()
      .transform((v) => (v === undefined ? undefined : Number(v)))
      .describe('Level a drill must reach; unset = the highest the configuration makes reachable (keys or KMS: 2, RESTORE_VERIFY_TOKEN: 3, canary: 4)'),
    RESTORE_CANARY_PATH: z.string().optional().describe('A KV secret that must exist after the restore, read with RESTORE_VERIFY_TOKEN: secret/drill (v1) or secret/data/drill (v2)'),
    RESTORE_CANARY_FIELD: z.string().optional().describe('Field of the canary secret to compare'),
    RESTORE_CANARY_VALUE: z.string().optional().describe('Expected value of RESTORE_CANARY_FIELD (treated as a secret)'),
    RESTORE_STATE_FILE: z
      .string()
      .optional()
      .describe('Progress journal (mode 0600, holds the temporary keys until the restore applied) that lets a restarted runner finish its restore; default <SNAPSHOT_FILE>.state.json'),
  })
  .superRefine((c, ctx) => {
    const shares = c.RESTORE_INIT_SHARES;
    const threshold = c.RESTORE_INIT_THRESHOLD;
    if ((shares === undefined) !== (threshold === undefined)) {
      ctx.addIssue({ code: 'custom', path: [shares === undefined ? 'RESTORE_INIT_SHARES' : 'RESTORE_INIT_THRESHOLD'], message: 'set RESTORE_INIT_SHARES and RESTORE_INIT_THRESHOLD together (or neither: the source cluster\'s are used)' });
      return;
    }
    if (shares === undefined || threshold === undefined) return;
    // the limits of Vault's SealConfig.baseValidate (vault/seal.go)
    if (shares < 1 || shares > 255) ctx.addIssue({ code: 'custom', path: ['RESTORE_INIT_SHARES'], message: 'must be between 1 and 255' });
    if (threshold < 1 || threshold > shares) {
      ctx.addIssue({ code: 'custom', path: ['RESTORE_INIT_THRESHOLD'], message: 'must be between 1 and RESTORE_INIT_SHARES' });
    } else if (threshold === 1 && shares > 1) {
      ctx.addIssue({ code: 'custom', path: ['RESTORE_INIT_THRESHOLD'], message: 'must be greater than 1 when RESTORE_INIT_SHARES is more than 1 (Vault refuses such an init)' });
    }
  })
  .refine((c: Record<string, unknown>) => !(c.VAULT_UNSEAL_KEYS !== undefined && c.VAULT_UNSEAL_KEYS_FILE !== undefined), {
    when: () => true,
    path: ['VAULT_UNSEAL_KEYS'],
    message: 'VAULT_UNSEAL_KEYS and VAULT_UNSEAL_KEYS_FILE are both set: use one',
  })
  .refine((c: Record<string, unknown>) => c.RESTORE_CANARY_PATH === undefined || c.RESTORE_VERIFY_TOKEN !== undefined, {
    when: () => true,
    path: ['RESTORE_VERIFY_TOKEN'],
    message: 'is required with RESTORE_CANARY_PATH (the canary is read with it)',
  })
  .refine((c: Record<string, unknown>) => c.RESTORE_CANARY_VALUE === undefined || c.RESTORE_CANARY_FIELD !== undefined, {
    when: () => true,
    path: ['RESTORE_CANARY_FIELD'],
    message: 'is required with RESTORE_CANARY_VALUE (which field to compare)',
  })
  // runs even when other variables are wrong, so this problem is listed with them (a superRefine is skipped then)
  .refine((c: Record<string, unknown>) => !(c.RESTORE_FORCE_OVER_INITIALIZED === true || c.RESTORE_FORCE_OVER_INITIALIZED === 'true') || (typeof c.VAULT_TOKEN === 'string' && c.VAULT_TOKEN !== ''), {
    when: () => true,
    path: ['VAULT_TOKEN'],
    message: 'is required with RESTORE_FORCE_OVER_INITIALIZED=true (a token of the live cluster allowed to update sys/storage/raft/snapshot-force)',
  });

/** Environment of restore-runner. */
export const spec = {
  schema,
  // VAULT_UNSEAL_KEYS_FILE is a field of its own, read lazily (see keys-file.ts)
  fileVars: ['RESTORE_VERIFY_TOKEN', 'VAULT_TOKEN', 'RESTORE_CANARY_VALUE'],
  secrets: ['VAULT_UNSEAL_KEYS', 'RESTORE_VERIFY_TOKEN', 'VAULT_TOKEN', 'RESTORE_CANARY_VALUE'],
  passthrough: [{ name: 'LOG_LEVEL', help: 'debug, info (default), warn or error' }],
} satisfies EnvSpec<typeof schema>;

/** Parsed configuration of restore-runner. */
export type RestoreConfig = z.output<typeof schema>;

/** Marker, report and journal paths, defaulting to files next to the snapshot. */
export function outputPaths(config: RestoreConfig): { marker: string; report: string; state: string } {
  return {
    marker: config.RESTORE_MARKER_FILE ?? `${config.SNAPSHOT_FILE}.restored`,
    report: config.RESTORE_REPORT_FILE ?? `${config.SNAPSHOT_FILE}.report.json`,
    state: config.RESTORE_STATE_FILE ?? `${config.SNAPSHOT_FILE}.state.json`,
  };
}
