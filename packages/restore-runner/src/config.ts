import { bool, count, duration, type EnvSpec, httpUrlList, required, vaultConnectionShape } from '@vault-raft-backup/common';
import { z } from 'zod';
import { metricsEnvShape } from '@vault-raft-backup/common';

const schema = z
  .object({
    ...vaultConnectionShape,
    VAULT_ADDR: vaultConnectionShape.VAULT_ADDR.describe('Vault address: the pod\'s own loopback, as the sidecar shares the Vault container\'s network'),
    SNAPSHOT_FILE: required('path').describe('Snapshot to restore (written and verified by restore-fetcher, with its .json sidecar next to it)'),
    ...metricsEnvShape,
    RESTORE_POD: z.string().optional().describe('Pod that restores, matched against HOSTNAME; unset = StatefulSet ordinal 0 (HOSTNAME ends in -0)'),
    HOSTNAME: z.string().optional().describe('This pod\'s name (set by Kubernetes); unset = the system host name'),
    VAULT_UNSEAL_KEYS: z.string().optional().describe('The SOURCE cluster\'s unseal keys: one per line, or the JSON of `vault operator init -format=json` (Shamir only)'),
    RESTORE_VERIFY_TOKEN: z.string().optional().describe('A token of the SOURCE cluster that must work after the restore (checked with lookup-self)'),
    VAULT_TOKEN: z.string().optional().describe('Only with RESTORE_FORCE_OVER_INITIALIZED: a token of the live cluster with update on sys/storage/raft/snapshot-force'),
    RESTORE_EXIT_WHEN_DONE: bool(false).describe('Exit 0 when done instead of idling until SIGTERM (for Jobs and tests; a pod sidecar must idle)'),
    RESTORE_FORCE_OVER_INITIALIZED: bool(false).describe('DANGER: restore even though Vault is already initialized, replacing all live data'),
    RESTORE_INIT_SHARES: count(1).describe('Key shares of the temporary init (secret shares for Shamir, recovery shares for auto-unseal)'),
    RESTORE_INIT_THRESHOLD: count(1).describe('Threshold of the temporary init'),
    RESTORE_WAIT_TIMEOUT: duration('10m').describe('Deadline of each wait: for Vault to answer, to become active, and for the restore to apply'),
    RESTORE_PEER_ADDRS: httpUrlList({ originOnly: true }).describe('Comma-separated follower addresses to unseal with the source keys, e.g. http://vault-1.vault-internal:8200,http://vault-2.vault-internal:8200'),
    RESTORE_MARKER_FILE: z.string().optional().describe('Marker written after a successful restore; default <SNAPSHOT_FILE>.restored'),
    RESTORE_REPORT_FILE: z.string().optional().describe('JSON report of the restore (no secrets); default <SNAPSHOT_FILE>.report.json'),
  })
  .superRefine((c, ctx) => {
    if (c.RESTORE_INIT_SHARES < 1) ctx.addIssue({ code: 'custom', path: ['RESTORE_INIT_SHARES'], message: 'must be at least 1' });
    if (c.RESTORE_INIT_THRESHOLD < 1 || c.RESTORE_INIT_THRESHOLD > c.RESTORE_INIT_SHARES) {
      ctx.addIssue({ code: 'custom', path: ['RESTORE_INIT_THRESHOLD'], message: 'must be between 1 and RESTORE_INIT_SHARES' });
    } else if (c.RESTORE_INIT_THRESHOLD === 1 && c.RESTORE_INIT_SHARES > 1) {
      ctx.addIssue({ code: 'custom', path: ['RESTORE_INIT_THRESHOLD'], message: 'must be greater than 1 when RESTORE_INIT_SHARES is more than 1 (Vault refuses such an init)' });
    }
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
  fileVars: ['VAULT_UNSEAL_KEYS', 'RESTORE_VERIFY_TOKEN', 'VAULT_TOKEN'],
  secrets: ['VAULT_UNSEAL_KEYS', 'RESTORE_VERIFY_TOKEN', 'VAULT_TOKEN'],
  passthrough: [{ name: 'LOG_LEVEL', help: 'debug, info (default), warn or error' }],
} satisfies EnvSpec<typeof schema>;

/** Parsed configuration of restore-runner. */
export type RestoreConfig = z.output<typeof schema>;

/** Marker and report paths, defaulting to files next to the snapshot. */
export function outputPaths(config: RestoreConfig): { marker: string; report: string } {
  return {
    marker: config.RESTORE_MARKER_FILE ?? `${config.SNAPSHOT_FILE}.restored`,
    report: config.RESTORE_REPORT_FILE ?? `${config.SNAPSHOT_FILE}.report.json`,
  };
}
