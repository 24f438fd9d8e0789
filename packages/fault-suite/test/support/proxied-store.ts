import type { S3Client } from '@aws-sdk/client-s3';
import { type S3FaultProxy, type S3FaultProxyOptions, type S3Server, startS3FaultProxy, startS3Server } from '@vault-raft-backup/testkit';
import { removeWorkDirs, workDir } from './files';
import { keepSecret } from './ledger';
import { BUCKET, type SnapshotFile, writeSnapshotFile } from './s3';

/** What the S3 fault tests share: s3rver behind the signature-checking fault proxy, and a 12 MiB snapshot file. */
export interface ProxiedStore {
  server: S3Server;
  proxy: S3FaultProxy;
  client: S3Client;
  snap: SnapshotFile;
  /** The AWS secret key the proxy checks signatures with; registered for the secret scan. */
  secret: string;
}

/**
 * Starts the store before the test file's tests and stops it after them (the jest hooks are registered
 * here); after each test the proxy's rules are dropped and its options are what they were at start.
 * The fields are set once the file's tests run, not when this returns.
 */
export function proxiedStore(label: string, takenAt: string): ProxiedStore {
  const store = { secret: `fault-suite-${label}-secret-${process.pid}-${Date.now()}` } as ProxiedStore;
  let initial: S3FaultProxyOptions | undefined;
  beforeAll(async () => {
    keepSecret('AWS secret key', store.secret);
    store.server = await startS3Server({ buckets: [BUCKET] });
    store.proxy = await startS3FaultProxy({ target: store.server.endpoint, secretAccessKey: store.secret });
    initial = { ...store.proxy.options };
    store.client = store.server.client();
    store.snap = await writeSnapshotFile(workDir(label), 'vault.snap', 12 * 1024 * 1024, takenAt);
  });
  afterEach(() => {
    const proxy = store.proxy as S3FaultProxy | undefined;
    if (proxy === undefined || initial === undefined) return;
    proxy.rules.splice(0);
    for (const key of Object.keys(proxy.options)) delete (proxy.options as unknown as Record<string, unknown>)[key];
    Object.assign(proxy.options, initial);
  });
  afterAll(async () => {
    await (store.proxy as S3FaultProxy | undefined)?.close();
    await (store.server as S3Server | undefined)?.close();
    removeWorkDirs();
  });
  return store;
}
