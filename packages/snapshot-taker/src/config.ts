import { bool, duration, type EnvSpec, required, runTimeout, vaultConnectionShape, vaultTransferShape } from '@vault-raft-backup/common';
import { z } from 'zod';
import { metricsEnvShape } from '@vault-raft-backup/common';

/** Environment of snapshot-taker. */
export const spec = {
  schema: z.object({
    ...vaultConnectionShape,
    ...vaultTransferShape,
    RUN_TIMEOUT: runTimeout('45m'),
    // Vault walks its whole FSM to size the archive before the first byte (openFromFSM, physical/raft/snapshot.go)
    SNAPSHOT_FIRST_BYTE_TIMEOUT: duration('10m').describe('Time Vault may take before the first byte of the snapshot: it serializes the whole data set once to size the archive first'),
    VAULT_TOKEN: required('token').describe('Vault token with read on sys/storage/raft/snapshot (usually via VAULT_TOKEN_FILE from approle-login)'),
    SNAPSHOT_FILE: required('path').describe('Where to write the verified snapshot; SNAPSHOT_FILE.json gets its sha256, size, raft index and term'),
    VAULT_REVOKE_TOKEN: bool(true).describe('Revoke the token (auth/token/revoke-self) when done'),
    SNAPSHOT_STALL_TIMEOUT: duration('60s').describe('Abort when the snapshot stream delivers no byte for this long'),
    ...metricsEnvShape,
  }),
  fileVars: ['VAULT_TOKEN'],
  secrets: ['VAULT_TOKEN'],
  passthrough: [{ name: 'LOG_LEVEL', help: 'debug, info (default), warn or error' }],
} satisfies EnvSpec<z.ZodObject>;

export type Config = z.output<typeof spec.schema>;
