import { ConfigError, createS3Client, parseEnv, renderHelp, runMain, s3ClientOptionsFrom } from '@vault-raft-backup/common';
import { restoreKeyOf, spec } from './config';
import { fetchSnapshot } from './fetch-snapshot';
import { listSnapshots, renderList } from './list-snapshots';

const NAME = 'restore-fetcher';
const SUMMARY = 'download a snapshot from S3, verify it and write it atomically for restore';

runMain({
  name: NAME,
  help: () => renderHelp(NAME, SUMMARY, spec, '[--list]'),
  env: process.env,
  run: async ({ log, signal, argv }) => {
    const env = argv.includes('--list') ? { ...process.env, RESTORE_LIST: 'true' } : process.env;
    const config = parseEnv(spec, env);
    const client = createS3Client(s3ClientOptionsFrom(config, env));
    try {
      if (config.RESTORE_LIST) {
        const latestKey = `${config.S3_PREFIX}latestbackup.snap`;
        const rows = await listSnapshots(client, { bucket: config.S3_BUCKET, prefix: config.S3_PREFIX, latestKey, format: config.RESTORE_LIST_FORMAT, signal });
        process.stdout.write(renderList(rows, config.RESTORE_LIST_FORMAT));
        return;
      }
      if (!config.SNAPSHOT_FILE) throw new ConfigError(['SNAPSHOT_FILE: is required']);
      await fetchSnapshot(client, { bucket: config.S3_BUCKET, key: restoreKeyOf(config), file: config.SNAPSHOT_FILE, allowMissingChecksum: config.RESTORE_ALLOW_MISSING_CHECKSUM, signal }, log);
    } finally {
      client.destroy();
    }
  },
});
