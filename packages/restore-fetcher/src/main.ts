import { hostname } from 'node:os';
import { ConfigError, createRunMetrics, createS3Client, latestKeyOf, runMain, s3ClientOptionsFrom } from '@vault-raft-backup/common';
import { restoreKeyOf, skipUnlessRestorePod, spec } from './config';
import { fetchSnapshot } from './fetch-snapshot';
import { listSnapshots, renderList } from './list-snapshots';

const metrics = createRunMetrics('restore', 'restore-fetcher');

runMain({
  name: 'restore-fetcher',
  summary: 'download a snapshot from S3, verify it and write it atomically for restore',
  spec,
  usage: '[--list]',
  env: process.env,
  envFrom: (argv, env) => (argv.includes('--list') ? { ...env, RESTORE_LIST: 'true' } : env),
  skipIf: (_argv, env) => skipUnlessRestorePod(env, hostname()),
  run: async (config, { log, signal }) => {
    // a listing is a question, not a restore step: it reports nothing, not even a failure
    if (config.RESTORE_LIST) metrics.skip();
    const client = createS3Client(s3ClientOptionsFrom(config, process.env));
    try {
      if (config.RESTORE_LIST) {
        const latestKey = latestKeyOf(config, process.env);
        const rows = await listSnapshots(client, { bucket: config.S3_BUCKET, prefix: config.S3_PREFIX, latestKey, format: config.RESTORE_LIST_FORMAT, signal });
        process.stdout.write(renderList(rows, config.RESTORE_LIST_FORMAT));
        return;
      }
      if (!config.SNAPSHOT_FILE) throw new ConfigError(['SNAPSHOT_FILE: is required']);
      const fetched = await fetchSnapshot(client, { bucket: config.S3_BUCKET, key: restoreKeyOf(config, process.env), file: config.SNAPSHOT_FILE, allowMissingChecksum: config.RESTORE_ALLOW_MISSING_CHECKSUM, maxAgeMs: config.RESTORE_MAX_AGE, signal }, log);
      metrics.set('snapshot_bytes', fetched.bytes).set('snapshot_raft_index', fetched.index);
    } finally {
      client.destroy();
    }
  },
  atEnd: metrics.finish,
});
