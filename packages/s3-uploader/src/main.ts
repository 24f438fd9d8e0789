import { createRunMetrics, createS3Client, metricsEnabled, runMain, s3ClientOptionsFrom } from '@vault-raft-backup/common';
import { latestKeyOf, spec } from './config';
import { recordUploadMetrics } from './upload-metrics';
import { uploadSnapshot } from './upload-snapshot';

const metrics = createRunMetrics('backup', 's3-uploader');

runMain({
  name: 's3-uploader',
  summary: 'upload a verified snapshot to S3, verify it, point latest at it by server-side copy, apply retention',
  spec,
  env: process.env,
  run: async (config, { log, signal }) => {
    const client = createS3Client(s3ClientOptionsFrom(config, process.env));
    try {
      const stored = await uploadSnapshot(
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
      await recordUploadMetrics(metrics, { ...stored, client, bucket: config.S3_BUCKET, prefix: config.S3_PREFIX, signal, counting: metricsEnabled(config) }, log);
    } finally {
      client.destroy();
    }
  },
  atEnd: metrics.finish,
});
