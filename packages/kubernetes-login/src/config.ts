import { type EnvSpec, metricsEnvShape, required, runTimeout, vaultConnectionShape } from '@vault-raft-backup/common';
import { z } from 'zod';

/** Where Kubernetes mounts a pod's ServiceAccount token when automountServiceAccountToken is on. */
export const DEFAULT_JWT_FILE = '/var/run/secrets/kubernetes.io/serviceaccount/token';

/** Vault's role name rule (framework.GenericNameRegex). */
const ROLE_NAME = /^\w([\w.-]*\w)?$/;

/** Environment of kubernetes-login. */
export const spec = {
  schema: z.object({
    ...vaultConnectionShape,
    RUN_TIMEOUT: runTimeout('5m'),
    VAULT_AUTH_ROLE: required('role').refine((v) => ROLE_NAME.test(v), 'must be a Vault role name (letters, digits, _, - and .)').describe('Role of the Kubernetes (or JWT) auth method to log in with'),
    VAULT_AUTH_MOUNT: z
      .string()
      .default('kubernetes')
      .refine((v) => /^[\w.-]+(\/[\w.-]+)*$/.test(v), 'must be a mount path such as kubernetes, jwt or team/kubernetes')
      .describe('Mount path of the auth method: a Kubernetes mount, or a JWT mount (e.g. jwt); both take {role, jwt} at auth/<mount>/login'),
    VAULT_JWT_FILE: z
      .string()
      .default(DEFAULT_JWT_FILE)
      .refine((v) => v.startsWith('/'), 'must be an absolute path')
      .describe('The pod\'s ServiceAccount token (a projected token is renewed by the kubelet, so it is read at login time)'),
    VAULT_TOKEN_FILE: required('path').describe('Where to write the Vault token (atomically, mode 0600); use an in-memory volume'),
    ...metricsEnvShape,
  }),
  passthrough: [{ name: 'LOG_LEVEL', help: 'debug, info (default), warn or error' }],
} satisfies EnvSpec<z.ZodObject>;

export type Config = z.output<typeof spec.schema>;
