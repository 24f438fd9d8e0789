import { z } from 'zod';
import { bool, count, duration, httpUrl, required } from '../config/index';
import type { S3ClientOptions } from './client';

const CHECKSUM_MODES = ['WHEN_REQUIRED', 'WHEN_SUPPORTED'] as const;

/** The S3 variables shared by every entrypoint that talks to S3: spread into its own `z.object`. */
export const s3EnvShape = {
  S3_BUCKET: required('bucket').describe('bucket that holds the snapshots'),
  S3_PREFIX: z.string().default('').describe('key prefix, e.g. "vault/prod/" (include the trailing slash)'),
  S3_FORCE_PATH_STYLE: bool(false).describe('path-style addressing (needed by most S3-compatible stores)'),
  S3_CHECKSUM_MODE: z
    .enum(CHECKSUM_MODES, { error: 'must be WHEN_REQUIRED or WHEN_SUPPORTED' })
    .default('WHEN_REQUIRED')
    .describe('request/response checksums: WHEN_REQUIRED works with stores that reject flexible checksums'),
  S3_CONNECT_TIMEOUT: duration('10s').describe('timeout for opening a connection'),
  S3_SOCKET_TIMEOUT: duration('2m').describe('a request fails when its connection is idle this long'),
  S3_MAX_ATTEMPTS: count(3).describe('attempts per S3 request, including the first (SDK retries)'),
  AWS_REGION: z.string().optional().describe('region; defaults to us-east-1 when AWS_ENDPOINT_URL_S3 is set'),
  AWS_ENDPOINT_URL_S3: httpUrl().optional().describe('endpoint of an S3-compatible store (unset: AWS)'),
  AWS_ACCESS_KEY_ID: z.string().optional().describe('static access key; unset: the SDK credential chain'),
  AWS_SECRET_ACCESS_KEY: z.string().optional().describe('static secret key; unset: the SDK credential chain'),
};

/** Variables of the shape that also accept `NAME_FILE`. */
export const s3FileVars = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'] as const;
/** Variables of the shape whose values are redacted from logs. */
export const s3Secrets = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'] as const;
/** Variables the AWS SDK reads itself, listed in --help. */
export const s3Passthrough = [
  { name: 'AWS_SESSION_TOKEN', help: 'session token for temporary static credentials (read by the AWS SDK)' },
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
    maxAttempts: Math.max(1, config.S3_MAX_ATTEMPTS),
    credentials: fromFiles && accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey, sessionToken: env.AWS_SESSION_TOKEN || undefined } : undefined,
  };
}
