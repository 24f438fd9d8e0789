import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { z } from 'zod';
import { ConfigError, createLogger, createProgress, createS3Client, latestKeyOf, parseEnv, s3ClientOptionsFrom, s3EnvShape, s3FileVars, s3LatestKeyShape, s3Secrets, scrub, toS3Error, withS3Checks } from '../src/index';

const spec = { schema: withS3Checks(z.object({ ...s3EnvShape, ...s3LatestKeyShape })), fileVars: s3FileVars, secrets: s3Secrets };

function problemsOf(env: Record<string, string>): string[] {
  try {
    parseEnv(spec, env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('S3 configuration', () => {
  it('defaults the region to us-east-1 for a custom endpoint and uses the SDK chain for credentials', () => {
    const env = { S3_BUCKET: 'b', AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:9000/', AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret-value' };
    const options = s3ClientOptionsFrom(parseEnv(spec, env), env);
    expect(options).toMatchObject({ region: 'us-east-1', endpoint: 'http://127.0.0.1:9000', checksumMode: 'WHEN_REQUIRED', forcePathStyle: false, maxAttempts: 3 });
    expect(options.credentials).toBeUndefined();
  });

  it('holds every request to a speed floor of 1KiB/s over 60s by default, and takes other floors with units', () => {
    const env = { S3_BUCKET: 'b', AWS_REGION: 'eu-west-1' };
    expect(s3ClientOptionsFrom(parseEnv(spec, env), env)).toMatchObject({ socketTimeoutMs: 120_000, speedFloor: { minBytesPerSecond: 1024, windowMs: 60_000 } });
    const set = { ...env, S3_TRANSFER_MIN_SPEED: '64KiB', S3_TRANSFER_SPEED_TIME: '2m' };
    expect(s3ClientOptionsFrom(parseEnv(spec, set), set).speedFloor).toEqual({ minBytesPerSecond: 65_536, windowMs: 120_000 });
  });

  it('refuses a speed floor of zero, without a unit it cannot read, or with a window under a second', () => {
    const problems = problemsOf({ S3_BUCKET: 'b', AWS_REGION: 'eu-west-1', S3_TRANSFER_MIN_SPEED: '0', S3_TRANSFER_SPEED_TIME: '500ms' });
    expect(problems).toEqual(['S3_TRANSFER_MIN_SPEED: must be between 1B and 1GiB', 'S3_TRANSFER_SPEED_TIME: must be between 1s and 2147483647ms (about 24.8 days, the longest timer Node can set)']);
    expect(problemsOf({ S3_BUCKET: 'b', AWS_REGION: 'eu-west-1', S3_TRANSFER_MIN_SPEED: 'fast', S3_TRANSFER_SPEED_TIME: 'soon' })).toEqual([
      'S3_TRANSFER_MIN_SPEED: must be a size like 64MiB or 1048576',
      'S3_TRANSFER_SPEED_TIME: must be a duration like 30s, 500ms, 5m or 1h',
    ]);
  });

  it('passes static credentials only when they come from files', () => {
    const dir = mkdtempSync(join(tmpdir(), 's3cfg-'));
    writeFileSync(join(dir, 'id'), 'AKIAFROMFILE\n');
    writeFileSync(join(dir, 'secret'), 'secret-from-file\n');
    const env = { S3_BUCKET: 'b', AWS_REGION: 'eu-west-1', AWS_ACCESS_KEY_ID_FILE: join(dir, 'id'), AWS_SECRET_ACCESS_KEY_FILE: join(dir, 'secret') };
    expect(s3ClientOptionsFrom(parseEnv(spec, env), env).credentials).toEqual({ accessKeyId: 'AKIAFROMFILE', secretAccessKey: 'secret-from-file', sessionToken: undefined });
  });

  it('lists a missing region for AWS together with every other problem', () => {
    const problems = problemsOf({ S3_CHECKSUM_MODE: 'ALWAYS', AWS_ACCESS_KEY_ID: 'AKIAONLY' });
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual(['AWS_REGION', 'AWS_SECRET_ACCESS_KEY', 'S3_BUCKET', 'S3_CHECKSUM_MODE']);
  });

  it('refuses a latest key that retention would take for a snapshot, or that leaves the prefix', () => {
    const base = { S3_BUCKET: 'b', AWS_REGION: 'eu-west-1' };
    expect(problemsOf({ ...base, S3_LATEST_KEY: 'vault-raft-snapshot-2026-01-01T00-00-00Z.snap' })).toEqual([expect.stringMatching(/^S3_LATEST_KEY: must not look like a timestamped snapshot name/)]);
    expect(problemsOf({ ...base, S3_LATEST_KEY: '../latest.snap', S3_PREFIX: '/abs/' }).sort()).toEqual([
      'S3_LATEST_KEY: must not contain "." or ".." segments',
      'S3_PREFIX: must not start with "/" (keys are relative to the bucket)',
    ]);
  });

  it('names latest as prefix + S3_LATEST_KEY, the default when unset, none when set empty', () => {
    const base = { S3_BUCKET: 'b', AWS_REGION: 'eu-west-1', S3_PREFIX: 'vault/' };
    expect(latestKeyOf(parseEnv(spec, base), base)).toBe('vault/latestbackup.snap');
    expect(latestKeyOf(parseEnv(spec, { ...base, S3_LATEST_KEY: 'current.snap' }), { ...base, S3_LATEST_KEY: 'current.snap' })).toBe('vault/current.snap');
    expect(latestKeyOf(parseEnv(spec, { ...base, S3_LATEST_KEY: '' }), { ...base, S3_LATEST_KEY: '' })).toBeUndefined();
  });

  it('registers AWS_SESSION_TOKEN, which only the SDK reads, as a secret', () => {
    parseEnv(spec, { S3_BUCKET: 'b', AWS_REGION: 'eu-west-1', AWS_SESSION_TOKEN: 'IQoJb3JpZ2luX2VjEXAMPLESESSION' });
    expect(scrub('x-amz-security-token: IQoJb3JpZ2luX2VjEXAMPLESESSION')).toBe('x-amz-security-token: [REDACTED]');
  });

  it('builds a client with the checksum mode and endpoint it was given', async () => {
    const client = createS3Client({ region: 'us-east-1', endpoint: 'http://127.0.0.1:9', forcePathStyle: true, checksumMode: 'WHEN_REQUIRED', connectTimeoutMs: 1000, socketTimeoutMs: 1000, maxAttempts: 1 });
    expect(await client.config.requestChecksumCalculation()).toBe('WHEN_REQUIRED');
    await expect(client.send(new HeadObjectCommand({ Bucket: 'b', Key: 'k' }))).rejects.toThrow();
    client.destroy();
  });
});

describe('toS3Error', () => {
  const sdkError = (name: string, status: number) => Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });

  it('maps SDK errors to stable codes with bucket and key, keeping the cause', () => {
    const cause = sdkError('InvalidAccessKeyId', 403);
    expect(toS3Error(cause, 'upload', 'b', 'k')).toMatchObject({ code: 'S3_ACCESS_DENIED', bucket: 'b', key: 'k', cause });
    expect(toS3Error(sdkError('NoSuchBucket', 404), 'upload', 'b', 'k').message).toContain('bucket b does not exist');
    expect(toS3Error(sdkError('SlowDown', 503), 'upload', 'b', 'k')).toMatchObject({ code: 'S3_FAILED', message: 'upload failed for s3://b/k (SlowDown 503)' });
  });
});

describe('createProgress', () => {
  it('logs at most every interval or percent step, with rate, percent and ETA', () => {
    const lines: Record<string, unknown>[] = [];
    const log = createLogger({ component: 't', write: (l) => lines.push(JSON.parse(l)) });
    let t = 0;
    const progress = createProgress({ log, msg: 'uploading', total: 100 * 1024 * 1024, now: () => t });
    for (let i = 1; i <= 100; i++) {
      t += 100;
      progress.set(i * 1024 * 1024);
    }
    expect(lines.length).toBeGreaterThanOrEqual(9);
    expect(lines.length).toBeLessThanOrEqual(12);
    expect(lines[0]).toMatchObject({ msg: 'uploading', percent: 10, totalBytes: 100 * 1024 * 1024, mibPerSec: 10 });
    expect(lines[0]?.etaSeconds).toBe(9);
    expect(progress.summary()).toEqual({ bytes: 100 * 1024 * 1024, durationMs: 10_000, mibPerSec: 10 });
  });

  it('without a total it logs by time only', () => {
    const lines: string[] = [];
    let t = 0;
    const progress = createProgress({ log: createLogger({ component: 't', write: (l) => lines.push(l) }), msg: 'downloading', intervalMs: 5000, now: () => t });
    for (let i = 0; i < 20; i++) {
      t += 1000;
      progress.add(10);
    }
    expect(lines).toHaveLength(4);
  });
});
