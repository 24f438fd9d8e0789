/**
 * Source of the child process that runs s3rver. Kept as a string and run with `node -e`,
 * so it works the same from jest (TypeScript sources) and from a bundled CLI in dist/.
 * It exits when its stdin closes, so a crashed parent never leaves a server behind.
 * s3rver answers UploadPartCopy with NotImplemented; the first middleware below emulates it
 * (ranged read of the source, stored as a part) so multipart copies can be tested. That
 * emulation skips s3rver's access key check, which no test of it relies on.
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
server.middleware.unshift(async (ctx, next) => {
  const source = ctx.get('x-amz-copy-source');
  if (ctx.method !== 'PUT' || !source || !ctx.query.uploadId || !ctx.query.partNumber) return next();
  const dest = /^[/]([^/]+)[/]/.exec(ctx.path);
  const src = /^[/]?([^/]+)[/](.+)$/.exec(source);
  const range = /^bytes=([0-9]+)-([0-9]+)$/.exec(ctx.get('x-amz-copy-source-range'));
  const object = dest && src
    ? await server.store.getObject(decodeURIComponent(src[1]), decodeURIComponent(src[2]), range ? { start: Number(range[1]), end: Number(range[2]) } : undefined)
    : null;
  ctx.type = 'application/xml';
  if (!dest || !object || !object.content) {
    ctx.status = 404;
    ctx.body = '<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>';
    return;
  }
  const { md5 } = await server.store.putPart(decodeURIComponent(dest[1]), ctx.query.uploadId, Number(ctx.query.partNumber), object.content);
  ctx.body = '<?xml version="1.0" encoding="UTF-8"?><CopyPartResult><LastModified>' + new Date().toISOString() + '</LastModified><ETag>"' + md5 + '"</ETag></CopyPartResult>';
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
