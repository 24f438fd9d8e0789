import { bool, type EnvSpec, s3EnvShape, s3FileVars, s3Passthrough, s3Secrets, withS3Checks } from '@vault-raft-backup/common';
import { z } from 'zod';
import { metricsEnvShape } from '@vault-raft-backup/common';

/** Environment of restore-fetcher. */
export const spec = {
  schema: withS3Checks(
    z.object({
      ...s3EnvShape,
      SNAPSHOT_FILE: z.string().optional().describe('where to write the verified snapshot (required unless listing); SNAPSHOT_FILE.json gets its sha256, size, index, term'),
      RESTORE_KEY: z.string().optional().describe('object to fetch (default: S3_PREFIX + latestbackup.snap); may name an older timestamped snapshot'),
      RESTORE_ALLOW_MISSING_CHECKSUM: bool(false).describe('accept an object without sha256 metadata (the archive is still verified)'),
      ...metricsEnvShape,
      RESTORE_LIST: bool(false).describe('list the available snapshots newest first instead of fetching (same as --list)'),
      RESTORE_LIST_FORMAT: z.enum(['table', 'json'], { error: 'must be table or json' }).default('table').describe('output of the list: a table or one JSON object per line'),
    }),
  ).refine((v: Record<string, unknown>) => v.RESTORE_LIST === true || v.RESTORE_LIST === 'true' || typeof v.SNAPSHOT_FILE === 'string', {
    when: () => true,
    path: ['SNAPSHOT_FILE'],
    message: 'is required (unless listing with --list or RESTORE_LIST=true)',
  }),
  fileVars: [...s3FileVars],
  secrets: [...s3Secrets],
  passthrough: [...s3Passthrough, { name: 'LOG_LEVEL', help: 'debug, info (default), warn or error' }],
} satisfies EnvSpec<z.ZodObject>;

export type Config = z.output<typeof spec.schema>;

/** The key to fetch: RESTORE_KEY, or `latest` under the prefix. */
export function restoreKeyOf(config: Config): string {
  return config.RESTORE_KEY || `${config.S3_PREFIX}latestbackup.snap`;
}
