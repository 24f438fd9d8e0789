import { bool, ConfigError, decideRestorePod, type EnvSpec, latestKeyOf, objectKey, runTimeout, s3EnvShape, s3FileVars, s3LatestKeyShape, s3Passthrough, s3Secrets, type SkipDecision, withS3Checks } from '@vault-raft-backup/common';
import { z } from 'zod';
import { metricsEnvShape } from '@vault-raft-backup/common';

const AGE = /^(\d{1,6})(m|h|d)$/;
const AGE_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

/** A maximum age such as `26h`, `90m` or `2d`, or unset (no limit). */
const maxAge = z
  .string()
  .optional()
  .transform((v, ctx) => {
    if (v === undefined) return undefined;
    const m = AGE.exec(v.trim());
    if (!m?.[1] || Number(m[1]) === 0) {
      ctx.addIssue({ code: 'custom', message: 'must be an age like 26h, 90m or 2d (more than 0)' });
      return z.NEVER;
    }
    return Number(m[1]) * (AGE_MS[m[2] ?? 'h'] ?? 3_600_000);
  });

/** Environment of restore-fetcher. */
export const spec = {
  schema: withS3Checks(
    z.object({
      ...s3EnvShape,
      RUN_TIMEOUT: runTimeout('1h'),
      SNAPSHOT_FILE: z.string().optional().describe('where to write the verified snapshot (required unless listing); SNAPSHOT_FILE.json gets its sha256, size, index, term'),
      ...s3LatestKeyShape,
      RESTORE_KEY: objectKey('key').optional().describe('object to fetch (default: S3_PREFIX + S3_LATEST_KEY); may name an older timestamped snapshot'),
      RESTORE_ALLOW_MISSING_CHECKSUM: bool(false).describe('accept an object without sha256 metadata (the archive is still verified)'),
      ...metricsEnvShape,
      RESTORE_LIST: bool(false).describe('list the available snapshots newest first instead of fetching (same as --list)'),
      RESTORE_LIST_FORMAT: z.enum(['table', 'json'], { error: 'must be table or json' }).default('table').describe('output of the list: a table or one JSON object per line'),
      RESTORE_MAX_AGE: maxAge.describe('fail when the snapshot was taken longer ago than this (e.g. 26h for a daily backup): a backup job that silently stopped is caught; unset = no limit'),
      RESTORE_POD: z.string().optional().describe('Pod that restores, matched against HOSTNAME: any other pod exits 0 at once, before reading a secret or calling S3; unset = always fetch'),
      HOSTNAME: z.string().optional().describe("This pod's name (set it from metadata.name); unset = the system host name"),
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

/**
 * The key to fetch: RESTORE_KEY, or `latest` (S3_PREFIX + S3_LATEST_KEY, as s3-uploader writes it).
 * @throws ConfigError when neither is set (S3_LATEST_KEY set empty: the uploader keeps no latest)
 */
export function restoreKeyOf(config: Config, env: Record<string, string | undefined>): string {
  const key = config.RESTORE_KEY ?? latestKeyOf(config, env);
  if (key === undefined) throw new ConfigError(['RESTORE_KEY: is required when S3_LATEST_KEY is set empty (there is no latest object to fetch)']);
  return key;
}

type Env = Record<string, string | undefined>;

/**
 * The pod guard, decided from the raw environment before the configuration is parsed (so
 * before any `*_FILE` secret is read): with `RESTORE_POD` set, every pod but that one has
 * nothing to fetch. Unset, it always fetches (the image used alone in another pipeline);
 * listing ignores the guard.
 */
export function skipUnlessRestorePod(env: Env, systemHostname: string): SkipDecision | undefined {
  const restorePod = env.RESTORE_POD;
  if (restorePod === undefined || restorePod === '' || env.RESTORE_LIST === 'true') return undefined;
  const hostname = env.HOSTNAME || systemHostname;
  const pod = decideRestorePod(restorePod, hostname);
  return pod.restore ? undefined : { msg: 'not the restore pod: nothing to fetch', fields: { hostname, restorePod: pod.restorePod, reason: pod.reason } };
}
