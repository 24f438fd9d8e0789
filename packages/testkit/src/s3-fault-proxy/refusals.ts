import type { IncomingMessage, ServerResponse } from 'node:http';

/** Answers with an S3 XML error, and closes the connection. */
export function sendS3Error(res: ServerResponse, status: number, code: string, message: string): void {
  const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><RequestId>fault-proxy</RequestId></Error>`;
  res.writeHead(status, { 'Content-Type': 'application/xml', 'Content-Length': Buffer.byteLength(xml), Connection: 'close' });
  res.end(res.req.method === 'HEAD' ? undefined : xml);
}

/** Whether a request carries flexible checksums (headers, a trailer, or an aws-chunked payload). */
export const FLEXIBLE = (req: IncomingMessage) =>
  Object.keys(req.headers).some((h) => h.startsWith('x-amz-checksum-') || h === 'x-amz-sdk-checksum-algorithm' || h === 'x-amz-trailer') ||
  String(req.headers['x-amz-content-sha256'] ?? '').startsWith('STREAMING-');

/** Destroys the connection after `limit` request-body bytes (at once when 0). */
export function resetAfter(req: IncomingMessage, limit: number): void {
  if (limit === 0) {
    req.socket.destroy();
    return;
  }
  let seen = 0;
  req.on('data', (chunk: Buffer) => {
    seen += chunk.length;
    if (seen >= limit) req.socket.destroy();
  });
  req.once('end', () => req.socket.destroy());
}
