import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { CHILD_SCRIPT } from './child-script';

/** A running s3rver child process plus what a test needs to talk to it. */
export interface S3Server {
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Data directory of the server; removed by close(). */
  dir: string;
  /** Environment for an entrypoint: the AWS SDK's own variables plus path-style addressing. */
  env(): Record<string, string>;
  /** A client for arranging and inspecting state (checksums only when required: s3rver corrupts aws-chunked bodies). */
  client(): S3Client;
  /** Every key in a bucket (optionally under a prefix), sorted, following continuation tokens. */
  listKeys(bucket: string, prefix?: string): Promise<string[]>;
  /** Stops the server and removes its data. */
  close(): Promise<void>;
}

export interface S3ServerOptions {
  /** Buckets created before the server starts listening. */
  buckets?: string[];
  /** Milliseconds to wait for the server to listen. */
  startTimeoutMs?: number;
}

const ACCESS_KEY = 'S3RVER';
const SECRET_KEY = 'S3RVER';
const REGION = 'us-east-1';

function waitForPort(child: ChildProcess, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => fail(new Error(`s3rver did not start within ${timeoutMs} ms: ${err}`)), timeoutMs);
    const fail = (e: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(e);
    };
    child.stderr?.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /\{"port":(\d+)\}/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.once('exit', (code) => fail(new Error(`s3rver exited with ${code} before listening: ${err}`)));
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/**
 * Starts s3rver 3.7.1 in a child process on 127.0.0.1 (a free port) with a temp data dir.
 * The child runs with `--openssl-legacy-provider`, without which ListObjectsV2 paging fails with a 500.
 */
export async function startS3Server(options: S3ServerOptions = {}): Promise<S3Server> {
  const dir = await mkdtemp(join(tmpdir(), 's3rver-'));
  const child = spawn(process.execPath, ['--openssl-legacy-provider', '-e', CHILD_SCRIPT], {
    env: {
      PATH: process.env.PATH ?? '',
      S3RVER_MAIN: require.resolve('s3rver'),
      S3RVER_OPTIONS: JSON.stringify({ directory: dir, buckets: options.buckets ?? [] }),
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let port: number;
  try {
    port = await waitForPort(child, options.startTimeoutMs ?? 15_000);
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  child.stdout?.resume();
  const endpoint = `http://127.0.0.1:${port}`;
  const clients: S3Client[] = [];
  let inspector: S3Client | undefined;
  const server: S3Server = {
    endpoint,
    region: REGION,
    accessKeyId: ACCESS_KEY,
    secretAccessKey: SECRET_KEY,
    dir,
    env: () => ({
      AWS_ENDPOINT_URL_S3: endpoint,
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: ACCESS_KEY,
      AWS_SECRET_ACCESS_KEY: SECRET_KEY,
      S3_FORCE_PATH_STYLE: 'true',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    }),
    client: () => {
      const c = new S3Client({
        endpoint,
        region: REGION,
        forcePathStyle: true,
        credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY },
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
      });
      clients.push(c);
      return c;
    },
    listKeys: async (bucket, prefix) => {
      inspector ??= server.client();
      return listAllKeys(inspector, bucket, prefix);
    },
    close: async () => {
      for (const c of clients.splice(0)) c.destroy();
      child.stdin?.end();
      await stopChild(child);
      await rm(dir, { recursive: true, force: true });
    },
  };
  return server;
}

async function listAllKeys(client: S3Client, bucket: string, prefix?: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    for (const o of page.Contents ?? []) if (o.Key !== undefined) keys.push(o.Key);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return keys.sort();
}
