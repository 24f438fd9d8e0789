import { createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { contentMd5Problem, flipBit, md5Hex, readBody } from './bodies';
import { forwardAnswer } from './forward-answer';
import { describeRequest, type RequestInfo, type S3Operation, uploadIdOf } from './operations';
import { FLEXIBLE, resetAfter, sendS3Error } from './refusals';
import { signatureProblem } from './sigv4';
import { crawlIn } from './slow-io';
import { StoreClaims } from './store-claims';
import type { StoreLooks } from './store-view';

export { describeRequest, type RequestInfo, type S3Operation } from './operations';
export { signatureProblem } from './sigv4';

/** What the proxy does instead of forwarding a matching request as it is. */
export type S3FaultAction =
  /** Answer with an S3 XML error (after reading the body, as S3 does). */
  | { kind: 'error'; status: number; code: string; message?: string }
  /** Destroy the connection after reading this many request-body bytes (default 0): the client sees ECONNRESET/EPIPE. */
  | { kind: 'reset'; afterBodyBytes?: number }
  /** Never answer: the request hangs until the client gives up or `releaseHeld()`. */
  | { kind: 'hold' }
  /**
   * Flip one bit at `offset` (default: the middle). `transit`: in a request body on its way, so the
   * store's Content-MD5 check sees it; `rest`: in a request body after that check, so the store
   * acknowledges (with ETags of) the bytes it received but keeps others; `read`: in a GetObject body.
   */
  | { kind: 'flip'; at: 'transit' | 'rest' | 'read'; offset?: number }
  /**
   * Send the whole response (status line, headers, body) at `bytesPerSecond` (default 1), or only its
   * body (`headAtOnce`), or read the request body that slowly (`side: 'request'`).
   */
  | { kind: 'crawl'; side: 'request' | 'response'; bytesPerSecond?: number; headAtOnce?: boolean }
  /** Answer a GetObject without Content-Length with a body that never ends (a snapshot archive with a 1 TiB state.bin) at `bytesPerSecond` (default 1 MiB). */
  | { kind: 'endless'; bytesPerSecond?: number };

/** A scripted fault: requests of `op` (and `partNumber`, when given) get `action`, `times` times (default: always). */
export interface S3FaultRule {
  op: S3Operation;
  partNumber?: number;
  times?: number;
  action: S3FaultAction;
}

/** One request the proxy saw, with the status it answered (0: connection destroyed or held). */
export interface ProxiedRequest extends RequestInfo {
  status: number;
  /** Which fault was injected, if any. */
  fault?: string;
  /** The S3 error the proxy answered as the store itself (its Content-MD5 check), if any. */
  storeError?: string;
}

export interface S3FaultProxyOptions extends StoreLooks {
  /** Endpoint of the real S3-protocol server behind the proxy. */
  target: string;
  /** When set, requests whose SigV4 signature was not made with this secret get 403 SignatureDoesNotMatch (s3rver checks only the key ID). */
  secretAccessKey?: string;
  /** Answer 400 to any request carrying flexible checksums (x-amz-checksum-*, x-amz-trailer, aws-chunked payloads), like stores that predate them. */
  rejectFlexibleChecksums?: boolean;
  /** Check `Content-MD5` of PutObject/UploadPart bodies as S3 does (400 BadDigest/InvalidDigest); s3rver 3.7.1 does not. Default true. */
  verifyContentMd5?: boolean;
}

/** A fault-injecting HTTP proxy in front of an S3-protocol server, on 127.0.0.1. */
export interface S3FaultProxy {
  readonly endpoint: string;
  /** Rules, consulted in order; mutable at any time. */
  readonly rules: S3FaultRule[];
  readonly options: S3FaultProxyOptions;
  /** Every request seen, in arrival order. */
  readonly requests: ProxiedRequest[];
  /** How many faults were injected so far (errors, resets, holds, flips, crawls, refused signatures and checksums). */
  faultsInjected(): number;
  /** Upload IDs of multipart uploads created and neither completed nor aborted: orphan parts on a real store. */
  pendingUploads(): string[];
  /** Destroys every held request (the client sees a reset). */
  releaseHeld(): void;
  close(): Promise<void>;
}

/** Starts the proxy. @throws Error when no port can be bound */
export async function startS3FaultProxy(options: S3FaultProxyOptions): Promise<S3FaultProxy> {
  const rules: S3FaultRule[] = [];
  const requests: ProxiedRequest[] = [];
  const sockets = new Set<Socket>();
  const held = new Set<IncomingMessage>();
  const target = new URL(options.target);
  const claims = new StoreClaims();
  const uploads = new Map<string, 'pending' | 'completed' | 'aborted'>();
  let injected = 0;

  const ruleFor = (info: RequestInfo): S3FaultRule | undefined => {
    const rule = rules.find((r) => r.op === info.op && (r.partNumber === undefined || r.partNumber === info.partNumber) && (r.times === undefined || r.times > 0));
    if (rule?.times !== undefined) rule.times--;
    return rule;
  };

  const refuse = (req: IncomingMessage, res: ServerResponse, entry: ProxiedRequest, status: number, code: string, message: string) => {
    injected++;
    entry.status = status;
    entry.fault = code;
    req.resume();
    req.once('end', () => sendS3Error(res, status, code, message));
  };

  /** What the store keeps of a PutObject/UploadPart body, and the ETag it claims when that differs from what it received; undefined when it refused the body (answered already). */
  const storeBody = (req: IncomingMessage, res: ServerResponse, entry: ProxiedRequest, sent: Buffer, action: S3FaultAction | undefined) => {
    const received = action?.kind === 'flip' && action.at === 'transit' ? flipBit(sent, action.offset) : sent;
    const md5 = req.headers['content-md5'];
    const problem = options.verifyContentMd5 !== false && typeof md5 === 'string' ? contentMd5Problem(received, md5) : undefined;
    if (problem) {
      entry.status = 400;
      entry.storeError = problem.code;
      sendS3Error(res, 400, problem.code, problem.message);
      return undefined;
    }
    const kept = action?.kind === 'flip' && action.at === 'rest' ? flipBit(received, action.offset) : received;
    const claimed =
      entry.op === 'UploadPart'
        ? claims.part(uploadIdOf(req), entry.partNumber ?? 0, md5Hex(received), kept !== received)
        : claims.object(entry.key, md5Hex(received), kept !== received);
    return { kept, claimed };
  };

  const forward = async (req: IncomingMessage, res: ServerResponse, entry: ProxiedRequest, action: S3FaultAction | undefined) => {
    let stored: { kept: Buffer; claimed: string | undefined } | undefined;
    if (entry.op === 'PutObject' || entry.op === 'UploadPart') {
      const sent = action?.kind === 'crawl' && action.side === 'request' ? await crawlIn(req, action.bytesPerSecond ?? 1) : await readBody(req);
      stored = storeBody(req, res, entry, sent, action);
      if (stored === undefined) return;
    }
    const upstream = request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (up) => {
      entry.status = up.statusCode ?? 0;
      if (entry.op === 'CompleteMultipartUpload' && up.statusCode === 200) uploads.set(uploadIdOf(req), 'completed');
      forwardAnswer({ req, res, up, entry, action, looks: options, claims, claimed: stored?.claimed, onUploadId: (id) => uploads.set(id, 'pending') }).catch(() => res.destroy());
    });
    upstream.on('error', () => res.destroy());
    if (stored === undefined) req.pipe(upstream);
    else upstream.end(stored.kept);
  };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const entry: ProxiedRequest = { ...describeRequest(req), status: 0 };
    requests.push(entry);
    if (options.secretAccessKey !== undefined) {
      const problem = signatureProblem(req, options.secretAccessKey);
      if (problem) return refuse(req, res, entry, 403, 'SignatureDoesNotMatch', `The request signature we calculated does not match the signature you provided (${problem}).`);
    }
    if (options.rejectFlexibleChecksums && FLEXIBLE(req)) {
      return refuse(req, res, entry, 400, 'InvalidArgument', 'x-amz-checksum-*, x-amz-trailer and aws-chunked payloads are not supported by this store.');
    }
    const rule = ruleFor(entry);
    if (!rule && entry.op === 'AbortMultipartUpload') {
      // s3rver 3.7 answers 405 to AbortMultipartUpload: answer for it, as S3 does, and remember the abort
      uploads.set(uploadIdOf(req), 'aborted');
      entry.status = 204;
      req.resume();
      req.once('end', () => res.writeHead(204).end());
      return;
    }
    const action = rule?.action;
    if (action?.kind === 'error') return refuse(req, res, entry, action.status, action.code, action.message ?? `Injected ${action.code}.`);
    if (action) {
      injected++;
      entry.fault = action.kind;
    }
    if (action?.kind === 'hold') {
      held.add(req);
      req.resume();
      return;
    }
    if (action?.kind === 'reset') return resetAfter(req, action.afterBodyBytes ?? 0);
    if (entry.op === 'DeleteObject') claims.deleted(entry.key);
    forward(req, res, entry, action).catch(() => res.destroy());
  };

  const server = createServer(handle);
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    rules,
    options,
    requests,
    faultsInjected: () => injected,
    pendingUploads: () => [...uploads].filter(([, state]) => state === 'pending').map(([id]) => id),
    releaseHeld: () => {
      for (const req of held) req.socket.destroy();
      held.clear();
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
