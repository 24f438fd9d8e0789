/**
 * Source of the child process that runs s3rver. Kept as a string and run with `node -e`,
 * so it works the same from jest (TypeScript sources) and from a bundled CLI in dist/.
 * It exits when its stdin closes, so a crashed parent never leaves a server behind.
 */
export const CHILD_SCRIPT = `
const S3rver = require(process.env.S3RVER_MAIN);
const opts = JSON.parse(process.env.S3RVER_OPTIONS);
const server = new S3rver({
  address: '127.0.0.1',
  port: 0,
  silent: true,
  directory: opts.directory,
  configureBuckets: opts.buckets.map((name) => ({ name, configs: [] })),
});
let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  server.close().catch(() => {}).finally(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.stdin.on('end', stop);
process.stdin.on('error', stop);
process.stdin.resume();
server.run().then(
  (addr) => process.stdout.write(JSON.stringify({ port: addr.port }) + '\\n'),
  (err) => { process.stderr.write(String(err && err.stack || err) + '\\n'); process.exit(1); },
);
`;
