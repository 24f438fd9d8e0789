import { createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { describeRequest } from '@vault-raft-backup/testkit';

/** What the hostile store does instead of forwarding to the real one behind it. */
export interface HostileOptions {
  /** Answer every ListObjectsV2 with a truncated page and the same continuation token, forever. */
  loopListing?: boolean;
  /** Answer every request with 403 AccessDenied whose message echoes all request headers (as some gateways do). */
  echoHeaders?: boolean;
}

/** An S3 endpoint on 127.0.0.1 that misbehaves as told and forwards everything else to a real S3-protocol server. */
export interface HostileS3 {
  endpoint: string;
  /** ListObjectsV2 requests answered with the looping page. */
  listPages(): number;
  /** Requests answered with the echoed headers. */
  echoed(): number;
  close(): Promise<void>;
}

const xmlEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function reply(req: IncomingMessage, res: ServerResponse, status: number, xml: string): void {
  req.resume();
  req.once('end', () => {
    res.writeHead(status, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(xml) });
    res.end(req.method === 'HEAD' ? undefined : xml);
  });
}

const LOOP_PAGE = `<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name><Prefix></Prefix><KeyCount>0</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>true</IsTruncated><NextContinuationToken>the-same-token</NextContinuationToken></ListBucketResult>`;

/** Starts the hostile store in front of `target`. */
export async function startHostileS3(target: string, options: HostileOptions): Promise<HostileS3> {
  const upstream = new URL(target);
  const sockets = new Set<Socket>();
  let listPages = 0;
  let echoed = 0;
  const server = createServer((req, res) => {
    if (options.echoHeaders) {
      echoed++;
      const headers = Object.entries(req.headers).map(([k, v]) => `${k}: ${String(v)}`).join('; ');
      return reply(req, res, 403, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>${xmlEscape(`Access Denied. Request headers: ${headers}`)}</Message><RequestId>hostile</RequestId></Error>`);
    }
    if (options.loopListing && describeRequest(req).op === 'ListObjectsV2') {
      listPages++;
      return reply(req, res, 200, LOOP_PAGE);
    }
    const up = request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    listPages: () => listPages,
    echoed: () => echoed,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
