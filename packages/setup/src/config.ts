import { bool, type EnvSpec, required, runTimeout, vaultConnectionShape } from '@vault-raft-backup/common';
import { z } from 'zod';
import role from '../../../manifests/vault/approle-role.json';

const DURATION = /^\d+[smhd]?$/;

/** A Vault duration such as `10m`, `720h` or `3600` (seconds). */
function vaultDuration(defaultValue: string) {
  return z.string().default(defaultValue).refine((v) => DURATION.test(v.trim()), 'must be a duration like 600, 10m, 720h or 30d');
}

const NAME = /^[\w.-]+$/;

/** Environment of vault-raft-backup-setup. */
export const spec = {
  schema: z.object({
    ...vaultConnectionShape,
    RUN_TIMEOUT: runTimeout('5m'),
    VAULT_TOKEN: required('token').describe('An admin token allowed to write policies, enable auth methods and manage AppRole roles'),
    SETUP_POLICY_NAME: z.string().default('vault-raft-backup').refine((v) => NAME.test(v), 'must be a policy name').describe('Name of the snapshot policy to write'),
    SETUP_ROLE_NAME: z.string().default('vault-raft-backup').refine((v) => NAME.test(v), 'must be a role name').describe('Name of the AppRole role'),
    SETUP_APPROLE_MOUNT: z
      .string()
      .default('approle')
      .refine((v) => /^[\w.-]+(\/[\w.-]+)*$/.test(v), 'must be a mount path such as approle')
      .describe('Mount path of the AppRole auth method (enabled when missing)'),
    SETUP_TOKEN_TTL: vaultDuration(role.token_ttl).describe('token_ttl of the role: how long a backup token lives'),
    SETUP_TOKEN_MAX_TTL: vaultDuration(role.token_max_ttl).describe('token_max_ttl of the role'),
    SETUP_SECRET_ID_TTL: vaultDuration(role.secret_id_ttl).describe('secret_id_ttl of the role: rotate the secret ID before it expires'),
    SETUP_BOUND_CIDRS: z
      .string()
      .optional()
      .describe('Comma-separated CIDRs the secret ID and tokens are bound to (secret_id_bound_cidrs, token_bound_cidrs); unset = no binding'),
    SETUP_WRAP_TTL: z
      .string()
      .optional()
      .refine((v) => v === undefined || DURATION.test(v.trim()), 'must be a duration like 5m')
      .describe('Response-wrap the new secret ID for this long; the Secret then holds the wrapping token instead'),
    SETUP_NEW_SECRET_ID: bool(true).describe('Create a new secret ID and print the Secret; false only checks and updates policy, mount and role'),
    SETUP_SECRET_NAME: z.string().default('vault-raft-backup-approle').describe('Name of the Kubernetes Secret to print'),
    SETUP_NAMESPACE: z.string().default('vault-raft-backup').describe('Namespace of the Kubernetes Secret'),
    SETUP_OUTPUT: z.string().optional().describe('Write the Secret manifest to this file (mode 0600) instead of stdout'),
  }),
  fileVars: ['VAULT_TOKEN'],
  secrets: ['VAULT_TOKEN'],
  passthrough: [{ name: 'LOG_LEVEL', help: 'debug, info (default), warn or error; logs go to stderr' }],
} satisfies EnvSpec<z.ZodObject>;

export type Config = z.output<typeof spec.schema>;
