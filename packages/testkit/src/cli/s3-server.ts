import { startS3Server } from '../s3-server/index';

/** Starts an s3rver for the round-trip demo and the benchmark; prints one JSON line, stops on SIGTERM/SIGINT. */
async function main(): Promise<void> {
  const buckets = (process.env.S3_SERVER_BUCKETS ?? process.argv.slice(2).join(',')) || 'backups';
  const server = await startS3Server({ buckets: buckets.split(',').filter((b) => b !== '') });
  const { endpoint, region, accessKeyId, secretAccessKey } = server;
  process.stdout.write(`${JSON.stringify({ endpoint, region, accessKeyId, secretAccessKey, buckets: buckets.split(',') })}\n`);
  const stop = () => {
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`s3-server: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
