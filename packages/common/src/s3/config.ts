import { z } from 'zod';
import { bool, count, duration, httpUrl, objectKey, required, size } from '../config/index';
import { snapshotKeyPattern } from '../contracts/keys';
import type { S3ClientOptions } from './client';

const CHECKSUM_MODES = ['WHEN_REQUIRED', 'WHEN_SUPPORTED'] as const;

/** The S3 variables shared by every entrypoint that talks to S3: spread into its own `z.object`. */
export const s3EnvShape = {
  S3_BUCKET: required('bucket').describe('bucket that holds the snapshots'),
  S3_PREFIX: objectKey('prefix').default('').describe('key prefix, e.g. "vault/prod/" (include the trailing slash; no leading "/", no "." or ".." segments)'),
  S3_FORCE_PATH_STYLE: bool(false).describe('path-style addressing (needed by most S3-compatible stores)'),
  S3_CHECKSUM_MODE: z
    .enum(CHECKSUM_MODES, { error: 'must be WHEN_REQUIRED or WHEN_SUPPORTED' })
    .default('WHEN_REQUIRED')
    .describe('request/response checksums: WHEN_REQUIRED works with stores that reject flexible checksums'),
  S3_CONNECT_TIMEOUT: duration('10s').describe('timeout for opening a connection (1ms to 24d; 0 is not allowed)'),
  S3_SOCKET_TIMEOUT: duration('2m').describe('a request fails when its connection is idle this long: a store that does not answer (1ms to 24d; 0 is not allowed)'),
  // A 1 byte/s transfer never leaves its connection idle: the floor ends it. 1 KiB/s is below any link a backup
  // could use. The window is half Vault's (VAULT_TRANSFER_SPEED_TIME, 2m) because the SDK repeats an S3 request
  // up to S3_MAX_ATTEMPTS times: a crawling HEAD or part still ends within about 3 minutes.
  S3_TRANSFER_MIN_SPEED: size('1KiB', { min: 1, max: 1024 ** 3 }).describe(
    'speed floor of every S3 request, in bytes per second (a size: 1KiB, 64KiB; 1B to 1GiB): one that moves fewer on average over S3_TRANSFER_SPEED_TIME while it is sent or answered is ended, retried up to S3_MAX_ATTEMPTS, then fails with S3_TIMEOUT',
  ),
  S3_TRANSFER_SPEED_TIME: duration('60s', { min: 1000 }).describe('window of the S3 speed floor (1s to 24 days)'),
  // the SDK waits up to 20 s between attempts: 20 attempts already hold one request for minutes
  S3_MAX_ATTEMPTS: count(3, { min: 1, max: 20 }).describe('attempts per S3 request, including the first (SDK retries), 1 to 20'),
  AWS_REGION: z.string().optional().describe('region; defaults to us-east-1 when AWS_ENDPOINT_URL_S3 is set'),
  AWS_ENDPOINT_URL_S3: httpUrl().optional().describe('endpoint of an S3-compatible store, http(s) with a port 1-65535 (unset: AWS)'),
  AWS_ACCESS_KEY_ID: z.string().optional().describe('static access key; unset: the SDK credential chain'),
  AWS_SECRET_ACCESS_KEY: z.string().optional().describe('static secret key; unset: the SDK credential chain'),
};

/** Variables of the shape that also accept `NAME_FILE`. */
export const s3FileVars = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'] as const;
/** Variables whose values are redacted from logs: the static keys, and the session token the SDK reads itself (a store may echo request headers in an error). */
export const s3Secrets = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN'] as const;

const DEFAULT_LATEST = 'latestbackup.snap';

/**
 * `S3_LATEST_KEY`, shared by s3-uploader (which keeps it current) and restore-fetcher (which
 * fetches it by default). It must not look like a timestamped snapshot: retention would delete it.
 */
export const s3LatestKeyShape = {
  S3_LATEST_KEY: objectKey('key')
    .refine((v) => !snapshotKeyPattern('').test(v), 'must not look like a timestamped snapshot name (vault-raft-snapshot-<time>.snap): retention would delete it')
    .default(DEFAULT_LATEST)
    .describe('name under S3_PREFIX of the object that holds the newest verified snapshot (kept by s3-uploader, fetched by restore-fetcher unless RESTORE_KEY is set); set empty for none'),
};

/**
 * Full key of `latest` (S3_PREFIX + S3_LATEST_KEY), or undefined when S3_LATEST_KEY is set but
 * empty (parseEnv treats empty as unset, so the raw environment tells "disabled" from "default").
 */
export function latestKeyOf(config: { S3_PREFIX: string; S3_LATEST_KEY: string }, env: Record<string, string | undefined>): string | undefined {
  if (env.S3_LATEST_KEY === '') return undefined;
  return `${config.S3_PREFIX}${config.S3_LATEST_KEY}`;
}
/** Variables the AWS SDK reads itself, listed in --help. */
export const s3Passthrough = [
  { name: 'AWS_SESSION_TOKEN', help: 'session token for temporary static credentials (read by the AWS SDK; redacted from logs)' },
  { name: 'AWS_PROFILE', help: 'shared config profile (read by the AWS SDK)' },
  { name: 'AWS_ROLE_ARN', help: 'role for web identity federation, e.g. EKS IRSA (read by the AWS SDK)' },
  { name: 'AWS_WEB_IDENTITY_TOKEN_FILE', help: 'web identity token file (read by the AWS SDK)' },
  { name: 'AWS_CONTAINER_CREDENTIALS_FULL_URI', help: 'container credentials, e.g. EKS Pod Identity (read by the AWS SDK)' },
] as const;

type S3Env = z.output<z.ZodObject<typeof s3EnvShape>>;

const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);

/**
 * Adds the cross-field S3 checks to an entrypoint's schema (a missing region for AWS, only one
 * of the two static keys); they run even when other fields fail, so every problem is listed at once.
 */
export function withS3Checks<T extends z.ZodObject>(schema: T): T {
  const always = { when: () => true };
  return schema
    .refine((v: Record<string, unknown>) => str(v.AWS_REGION) !== undefined || str(v.AWS_ENDPOINT_URL_S3) !== undefined, {
      ...always,
      path: ['AWS_REGION'],
      message: 'is required for AWS S3 (or set AWS_ENDPOINT_URL_S3 for an S3-compatible store)',
    })
    .refine((v: Record<string, unknown>) => (str(v.AWS_ACCESS_KEY_ID) === undefined) === (str(v.AWS_SECRET_ACCESS_KEY) === undefined), {
      ...always,
      path: ['AWS_SECRET_ACCESS_KEY'],
      message: 'give both AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or neither, for the SDK credential chain)',
    }) as T;
}

/**
 * Turns the parsed S3 variables into client options. Static credentials are passed only when
 * `AWS_ACCESS_KEY_ID_FILE`/`AWS_SECRET_ACCESS_KEY_FILE` were used; otherwise the SDK chain reads its own variables.
 */
export function s3ClientOptionsFrom(config: S3Env, env: Record<string, string | undefined>): S3ClientOptions {
  const fromFiles = Boolean(env.AWS_ACCESS_KEY_ID_FILE) || Boolean(env.AWS_SECRET_ACCESS_KEY_FILE);
  const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey } = config;
  return {
    region: config.AWS_REGION || 'us-east-1',
    endpoint: config.AWS_ENDPOINT_URL_S3,
    forcePathStyle: config.S3_FORCE_PATH_STYLE,
    checksumMode: config.S3_CHECKSUM_MODE,
    connectTimeoutMs: config.S3_CONNECT_TIMEOUT,
    socketTimeoutMs: config.S3_SOCKET_TIMEOUT,
    speedFloor: { minBytesPerSecond: config.S3_TRANSFER_MIN_SPEED, windowMs: config.S3_TRANSFER_SPEED_TIME },
    maxAttempts: config.S3_MAX_ATTEMPTS,
    credentials: fromFiles && accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey, sessionToken: env.AWS_SESSION_TOKEN || undefined } : undefined,
  };
}
