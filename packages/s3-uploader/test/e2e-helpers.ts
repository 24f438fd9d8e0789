import { createHash } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { type BundleResult, bundlePath, runBundle } from '@vault-raft-backup/testkit';

export const BUNDLE = 's3-uploader';

/** Fails the suite clearly when the bundle was not built. */
export function requireBundle(): void {
  bundlePath(BUNDLE);
}

export async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 's3-uploader-'));
}

export function upload(env: Record<string, string>, node?: 'system' | 'node24'): Promise<BundleResult> {
  return runBundle(BUNDLE, { env, node });
}

export async function objectSha(client: S3Client, bucket: string, key: string): Promise<string> {
  const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const hash = createHash('sha256');
  for await (const chunk of out.Body as AsyncIterable<Uint8Array>) hash.update(chunk);
  return hash.digest('hex');
}

export async function metadataOf(client: S3Client, bucket: string, key: string): Promise<Record<string, string>> {
  return (await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }))).Metadata ?? {};
}

export function messages(result: BundleResult): string[] {
  return result.lines.map((l) => String(l.msg));
}
