import { type Agent as HttpAgent, type ClientRequest, type IncomingMessage, Agent as PlainAgent } from 'node:http';
import { Agent as TlsAgent } from 'node:https';
import type { Socket } from 'node:net';
import { formatBytes, formatMs } from '../config/fields';

/** curl's `--speed-limit`/`--speed-time`: a request that moves fewer than `bytesPerSecond` on average over `windowMs` is aborted. */
export interface SpeedFloor {
  bytesPerSecond: number;
  windowMs: number;
}

const SAMPLE_MS = 1000;

/**
 * A request ended by the speed floor. Its name and code are those of a socket timeout, so the SDK
 * retries it like one (a fresh connection may be faster) and `toS3Error` reports `S3_TIMEOUT`.
 */
export class S3TooSlowError extends Error {
  override readonly name = 'TimeoutError';
  readonly code = 'ETIMEDOUT';
}

/**
 * CopyObject, UploadPartCopy and CompleteMultipartUpload: the store works on the object before and
 * while it answers. S3 sends the 200 head early and then keeps the connection alive with spaces until it is done
 * (S3 API reference, CompleteMultipartUpload), which a byte floor cannot tell from a crawl.
 */
function storeWorks(req: ClientRequest): boolean {
  return (req.method === 'PUT' && req.getHeader('x-amz-copy-source') !== undefined) || (req.method === 'POST' && /[?&]uploadId=/.test(req.path));
}

/** Bytes this socket moved so far, both ways; written bytes only once the kernel took them. */
function moved(socket: Socket): number {
  return socket.bytesRead + (socket.bytesWritten ?? 0) - socket.writableLength;
}

/**
 * Watches one request on its connection. The floor applies while bytes are meant to flow: while the
 * request is sent, and while the answer arrives (head and body), except the body of a request the
 * store works on (above) and except while our own reader is behind. It does not apply while the
 * store has not started to answer: a silent connection is what S3_SOCKET_TIMEOUT ends.
 */
function watch(req: ClientRequest, floor: SpeedFloor): void {
  let socket: Socket | undefined;
  let res: IncomingMessage | undefined;
  let readWhenSent: number | undefined;
  let samples: { at: number; moved: number }[] = [];
  const works = storeWorks(req);
  const applies = (s: Socket): 'sending' | 'receiving' | undefined => {
    if (readWhenSent === undefined) return 'sending';
    if (res === undefined) return s.bytesRead > readWhenSent ? 'receiving' : undefined;
    if (works || res.readableLength >= res.readableHighWaterMark) return undefined;
    return 'receiving';
  };
  const trip = (what: string, bytes: number, ms: number) => {
    const err = new S3TooSlowError(
      `S3 transfer below the speed floor while ${what}: ${bytes} bytes in ${formatMs(Math.round(ms / 1000) * 1000)} (S3_LOW_SPEED_LIMIT ${formatBytes(floor.bytesPerSecond)}/s over S3_LOW_SPEED_TIME ${formatMs(floor.windowMs)})`,
    );
    res?.destroy(err);
    req.destroy(err);
  };
  const sample = () => {
    const what = socket && !socket.destroyed ? applies(socket) : undefined;
    if (socket === undefined || what === undefined) {
      samples = [];
      return;
    }
    const now = Date.now();
    const m = moved(socket);
    samples.push({ at: now, moved: m });
    // keep the newest sample at or before the window's start, and every one after it
    while ((samples[1]?.at ?? now) <= now - floor.windowMs) samples.shift();
    const first = samples[0];
    if (first && now - first.at >= floor.windowMs && m - first.moved < (floor.bytesPerSecond * (now - first.at)) / 1000) {
      trip(what === 'sending' ? 'sending the request' : 'receiving the answer', m - first.moved, now - first.at);
    }
  };
  const timer = setInterval(sample, SAMPLE_MS).unref();
  req.once('close', () => clearInterval(timer));
  req.once('finish', () => {
    readWhenSent = req.socket?.bytesRead ?? 0;
  });
  req.once('response', (r: IncomingMessage) => {
    res = r;
  });
  req.once('socket', (s: Socket) => {
    const connected = () => {
      socket = s;
    };
    if (s.connecting) s.once('connect', connected);
    else connected();
  });
}

/** Makes `agent` watch every request it carries (Node hands each ClientRequest to its agent's `addRequest`: lib/_http_client.js). */
function watching<A extends HttpAgent>(agent: A, floor: SpeedFloor): A {
  // addRequest is not in @types/node, but every ClientRequest calls it on its agent (agent-base relies on it too)
  const internal = agent as unknown as { addRequest: (req: ClientRequest, options: unknown) => void };
  const addRequest = internal.addRequest.bind(agent);
  internal.addRequest = (req, options) => {
    watch(req, floor);
    addRequest(req, options);
  };
  return agent;
}

/** http and https agents (keep-alive, 50 sockets: the SDK's defaults) whose requests are held to the speed floor. */
export function speedFloorAgents(floor: SpeedFloor): { httpAgent: PlainAgent; httpsAgent: TlsAgent } {
  return {
    httpAgent: watching(new PlainAgent({ keepAlive: true, maxSockets: 50 }), floor),
    httpsAgent: watching(new TlsAgent({ keepAlive: true, maxSockets: 50 }), floor),
  };
}
