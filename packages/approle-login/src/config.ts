import { type EnvSpec, required, runTimeout, vaultConnectionShape } from '@vault-raft-backup/common';
import { z } from 'zod';
import { metricsEnvShape } from '@vault-raft-backup/common';

/** Environment of approle-login. */
export const spec = {
  schema: z.object({
    ...vaultConnectionShape,
    RUN_TIMEOUT: runTimeout('5m'),
    VAULT_APPROLE_MOUNT: z
      .string()
      .default('approle')
      .refine((v) => /^[\w.-]+(\/[\w.-]+)*$/.test(v), 'must be a mount path such as approle or team/approle')
      .describe('Mount path of the AppRole auth method'),
    VAULT_ROLE_ID: required('role ID').describe('AppRole role ID'),
    VAULT_SECRET_ID: required('secret ID').describe('AppRole secret ID'),
    VAULT_TOKEN_FILE: required('path').describe('Where to write the Vault token (atomically, mode 0600); use an in-memory volume'),
    ...metricsEnvShape,
  }),
  fileVars: ['VAULT_ROLE_ID', 'VAULT_SECRET_ID'],
  secrets: ['VAULT_ROLE_ID', 'VAULT_SECRET_ID'],
  passthrough: [{ name: 'LOG_LEVEL', help: 'debug, info (default), warn or error' }],
} satisfies EnvSpec<z.ZodObject>;

export type Config = z.output<typeof spec.schema>;
