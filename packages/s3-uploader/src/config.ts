import { count, type EnvSpec, required, s3EnvShape, s3FileVars, s3Passthrough, s3Secrets, size, withS3Checks } from '@vault-raft-backup/common';
import { z } from 'zod';
import { metricsEnvShape } from '@vault-raft-backup/common';

const MIB = 1024 * 1024;

/** Environment of s3-uploader. */
export const spec = {
  schema: withS3Checks(
    z.object({
      SNAPSHOT_FILE: required('path').describe('snapshot to upload; SNAPSHOT_FILE.json (from snapshot-taker) gives its sha256, size and time'),
      ...metricsEnvShape,
      ...s3EnvShape,
      S3_LATEST_KEY: z.string().default('latestbackup.snap').describe('name under S3_PREFIX that always holds the newest verified snapshot; set empty to disable'),
      S3_SSE: z.enum(['AES256', 'aws:kms'], { error: 'must be AES256 or aws:kms' }).optional().describe('server-side encryption: AES256 or aws:kms (unset: bucket default)'),
      S3_SSE_KMS_KEY_ID: z.string().optional().describe('KMS key for S3_SSE=aws:kms (unset: the AWS managed key)'),
      S3_STORAGE_CLASS: z
        .string()
        .regex(/^[A-Z][A-Z_]*$/, 'must be a storage class name such as STANDARD or STANDARD_IA')
        .optional()
        .describe('storage class of the objects (unset: STANDARD)'),
      BACKUP_RETAIN: count(0).describe('keep the newest N timestamped snapshots under S3_PREFIX and delete older ones; 0 keeps all'),
      S3_PART_SIZE: size('8MiB')
        .refine((n) => n >= 5 * MIB, 'must be at least 5MiB (the S3 minimum part size)')
        .describe('multipart part size; memory used is about S3_PART_SIZE x S3_QUEUE_SIZE'),
      S3_QUEUE_SIZE: count(2)
        .refine((n) => n >= 1 && n <= 32, 'must be between 1 and 32')
        .describe('parts uploaded in parallel'),
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

/** Full key of `latest`, or undefined when S3_LATEST_KEY is set but empty (an empty value would otherwise mean "default"). */
export function latestKeyOf(config: Config, env: Record<string, string | undefined>): string | undefined {
  if (env.S3_LATEST_KEY === '') return undefined;
  return `${config.S3_PREFIX}${config.S3_LATEST_KEY}`;
}
