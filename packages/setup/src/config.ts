import { bool, type EnvSpec, required, runTimeout, vaultConnectionShape } from '@vault-raft-backup/common';
import { z } from 'zod';
import role from '../../../manifests/vault/approle-role.json';
import kubernetesRole from '../../../manifests/vault/kubernetes-role.json';

const DURATION = /^\d+[smhd]?$/;

/** A Vault duration such as `10m`, `720h` or `3600` (seconds). */
function vaultDuration(defaultValue: string) {
  return z.string().default(defaultValue).refine((v) => DURATION.test(v.trim()), 'must be a duration like 600, 10m, 720h or 30d');
}

const NAME = /^[\w.-]+$/;
const MOUNT = /^[\w.-]+(\/[\w.-]+)*$/;
/** A Kubernetes object name (RFC 1123 subdomain), as ServiceAccounts and namespaces have. */
const K8S_NAME = /^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$/;

const schema = z
  .object({
    ...vaultConnectionShape,
    RUN_TIMEOUT: runTimeout('5m'),
    VAULT_TOKEN: required('token').describe('An admin token allowed to write policies, enable auth methods and manage their roles'),
    SETUP_POLICY_NAME: z.string().default('vault-raft-backup').refine((v) => NAME.test(v), 'must be a policy name').describe('Name of the snapshot policy to write'),
    SETUP_ROLE_NAME: z.string().default('vault-raft-backup').refine((v) => NAME.test(v), 'must be a role name').describe('Name of the role (AppRole, Kubernetes or JWT auth)'),
    SETUP_AUTH: z
      .enum(['approle', 'kubernetes', 'jwt'], { error: 'must be approle, kubernetes or jwt' })
      .default('approle')
      .describe('How the backup logs in: approle (a secret ID in a Secret), kubernetes or jwt (the pod\'s ServiceAccount token, no stored secret)'),
    SETUP_APPROLE_MOUNT: z
      .string()
      .default('approle')
      .refine((v) => MOUNT.test(v), 'must be a mount path such as approle')
      .describe('Mount path of the AppRole auth method (enabled when missing)'),
    SETUP_AUTH_MOUNT: z
      .string()
      .optional()
      .refine((v) => v === undefined || MOUNT.test(v), 'must be a mount path such as kubernetes or jwt')
      .describe('kubernetes/jwt: mount path of the auth method; default kubernetes or jwt'),
    SETUP_ENABLE_MOUNT: bool(false).describe('kubernetes/jwt: enable the auth method at its mount path when it is missing (never done without this)'),
    SETUP_SERVICE_ACCOUNT: z
      .string()
      .default('vault-raft-backup')
      .refine((v) => K8S_NAME.test(v), 'must be a Kubernetes object name')
      .describe("kubernetes/jwt: the backup's ServiceAccount, the only one the role admits"),
    SETUP_AUDIENCE: z
      .string()
      .default(kubernetesRole.audience)
      .refine((v) => v.trim() !== '' && !v.includes(','), 'must be one audience')
      .describe('kubernetes/jwt: audience of the projected ServiceAccount token, the only one the role admits'),
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
    SETUP_NAMESPACE: z
      .string()
      .default('vault-raft-backup')
      .refine((v) => K8S_NAME.test(v), 'must be a Kubernetes namespace name')
      .describe("Namespace of the backup: the printed Secret's (approle), the only one the role admits (kubernetes/jwt)"),
    SETUP_OUTPUT: z.string().optional().describe('Write the Secret manifest to this file (mode 0600) instead of stdout'),
  })
  // each runs even when other variables are wrong, so its problem is listed with theirs
  .refine((c: Record<string, unknown>) => !(c.SETUP_AUTH === undefined || c.SETUP_AUTH === 'approle') || c.SETUP_AUTH_MOUNT === undefined, {
    when: () => true,
    path: ['SETUP_AUTH_MOUNT'],
    message: 'is for kubernetes and jwt: the AppRole mount is SETUP_APPROLE_MOUNT',
  })
  .refine((c: Record<string, unknown>) => c.SETUP_AUTH === undefined || c.SETUP_AUTH === 'approle' || (c.SETUP_WRAP_TTL === undefined && c.SETUP_OUTPUT === undefined), {
    when: () => true,
    path: ['SETUP_AUTH'],
    message: 'kubernetes and jwt create no secret: SETUP_WRAP_TTL and SETUP_OUTPUT are for approle only',
  });

/** Environment of vault-raft-backup-setup. */
export const spec = {
  schema,
  fileVars: ['VAULT_TOKEN'],
  secrets: ['VAULT_TOKEN'],
  passthrough: [{ name: 'LOG_LEVEL', help: 'debug, info (default), warn or error; logs go to stderr' }],
} satisfies EnvSpec<typeof schema>;

export type Config = z.output<typeof spec.schema>;
