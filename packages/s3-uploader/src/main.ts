import { createS3Client, runMain, s3ClientOptionsFrom } from '@vault-raft-backup/common';
import { latestKeyOf, spec } from './config';
import { uploadSnapshot } from './upload-snapshot';

runMain({
  name: 's3-uploader',
  summary: 'upload a verified snapshot to S3, verify it, point latest at it by server-side copy, apply retention',
  spec,
  env: process.env,
  run: async (config, { log, signal }) => {
    const client = createS3Client(s3ClientOptionsFrom(config, process.env));
    try {
      await uploadSnapshot(
        client,
        {
          file: config.SNAPSHOT_FILE,
          bucket: config.S3_BUCKET,
          prefix: config.S3_PREFIX,
          latestKey: latestKeyOf(config, process.env),
          retain: config.BACKUP_RETAIN,
          partSize: config.S3_PART_SIZE,
          queueSize: config.S3_QUEUE_SIZE,
          sse: config.S3_SSE,
          kmsKeyId: config.S3_SSE_KMS_KEY_ID,
          storageClass: config.S3_STORAGE_CLASS,
          signal,
        },
        log,
      );
    } finally {
      client.destroy();
    }
  },
});
