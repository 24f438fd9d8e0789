import { count, type EnvSpec, latestKeyOf, required, runTimeout, s3EnvShape, s3FileVars, s3LatestKeyShape, s3Passthrough, s3Secrets, size, withS3Checks } from '@vault-raft-backup/common';
import { z } from 'zod';
import { metricsEnvShape } from '@vault-raft-backup/common';

const MIB = 1024 * 1024;
/**
 * The largest part: 10 000 parts of 1 GiB exceed S3's 5 TiB object limit, so a larger part never
 * allows a larger snapshot; and each of the S3_QUEUE_SIZE + 1 part buffers is one Buffer, which Node 20
 * caps at 4 GiB (S3's own 5 GiB part limit is not allocatable), while 1 GiB x 3 buffers is 3 GiB already.
 */
const MAX_PART = 1024 * MIB;
/** Keeping more is possible with BACKUP_RETAIN=0 (keep all); a count this high is a typo. */
const MAX_RETAIN = 100_000;

/** Environment of s3-uploader. */
export const spec = {
  schema: withS3Checks(
    z.object({
      SNAPSHOT_FILE: required('path').describe('snapshot to upload; SNAPSHOT_FILE.json (from snapshot-taker) gives its sha256, size and time'),
      ...metricsEnvShape,
      ...s3EnvShape,
      ...s3LatestKeyShape,
      RUN_TIMEOUT: runTimeout('45m'),
      S3_SSE: z.enum(['AES256', 'aws:kms'], { error: 'must be AES256 or aws:kms' }).optional().describe('server-side encryption: AES256 or aws:kms (unset: bucket default)'),
      S3_SSE_KMS_KEY_ID: z.string().optional().describe('KMS key for S3_SSE=aws:kms (unset: the AWS managed key)'),
      S3_STORAGE_CLASS: z
        .string()
        .regex(/^[A-Z][A-Z_]*$/, 'must be a storage class name such as STANDARD or STANDARD_IA')
        .optional()
        .describe('storage class of the objects (unset: STANDARD)'),
      BACKUP_RETAIN: count(0, { max: MAX_RETAIN }).describe('keep the newest N timestamped snapshots under S3_PREFIX and delete older ones; 0 keeps all (at most 100000)'),
      S3_PART_SIZE: size('8MiB', { min: 5 * MIB, max: MAX_PART }).describe('multipart part size, 5MiB (the S3 minimum) to 1GiB; memory used is about S3_PART_SIZE x (S3_QUEUE_SIZE + 1)'),
      S3_QUEUE_SIZE: count(2, { min: 1, max: 32 }).describe('parts uploaded in parallel, 1 to 32'),
    }),
  ).refine((v: Record<string, unknown>) => !v.S3_SSE_KMS_KEY_ID || v.S3_SSE === 'aws:kms', {
    when: () => true,
    path: ['S3_SSE_KMS_KEY_ID'],
    message: 'only applies with S3_SSE=aws:kms',
  }),
  fileVars: [...s3FileVars],
  secrets: [...s3Secrets],
  passthrough: [...s3Passthrough, { name: 'LOG_LEVEL', help: 'debug, info (default), warn or error' }],
} satisfies EnvSpec<z.ZodObject>;

export type Config = z.output<typeof spec.schema>;

/** Full key of `latest`, or undefined when S3_LATEST_KEY is set but empty (the definition restore-fetcher shares). */
export { latestKeyOf };
