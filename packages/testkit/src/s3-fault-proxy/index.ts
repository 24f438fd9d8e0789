import { createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { describeRequest, type RequestInfo, type S3Operation } from './operations';
import { signatureProblem } from './sigv4';

export { describeRequest, type RequestInfo, type S3Operation } from './operations';
export { signatureProblem } from './sigv4';

/** What the proxy does instead of forwarding a matching request. */
export type S3FaultAction =
  /** Answer with an S3 XML error (after reading the body, as S3 does). */
  | { kind: 'error'; status: number; code: string; message?: string }
  /** Destroy the connection after reading this many request-body bytes (default 0): the client sees ECONNRESET/EPIPE. */
  | { kind: 'reset'; afterBodyBytes?: number }
  /** Never answer: the request hangs until the client gives up or `releaseHeld()`. */
  | { kind: 'hold' };

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
}

export interface S3FaultProxyOptions {
  /** Endpoint of the real S3-protocol server behind the proxy. */
  target: string;
  /** When set, requests whose SigV4 signature was not made with this secret get 403 SignatureDoesNotMatch (s3rver checks only the key ID). */
  secretAccessKey?: string;
  /** Answer 400 to any request carrying flexible checksums (x-amz-checksum-*, x-amz-trailer, aws-chunked payloads), like stores that predate them. */
  rejectFlexibleChecksums?: boolean;
}

/** A fault-injecting HTTP proxy in front of an S3-protocol server, on 127.0.0.1. */
export interface S3FaultProxy {
  readonly endpoint: string;
  /** Rules, consulted in order; mutable at any time. */
  readonly rules: S3FaultRule[];
  readonly options: S3FaultProxyOptions;
  /** Every request seen, in arrival order. */
  readonly requests: ProxiedRequest[];
  /** How many faults were injected so far (errors, resets, holds, refused signatures and checksums). */
  faultsInjected(): number;
  /** Upload IDs of multipart uploads created and neither completed nor aborted: orphan parts on a real store. */
  pendingUploads(): string[];
  /** Destroys every held request (the client sees a reset). */
  releaseHeld(): void;
  close(): Promise<void>;
}

function sendS3Error(res: ServerResponse, status: number, code: string, message: string): void {
  const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><RequestId>fault-proxy</RequestId></Error>`;
  res.writeHead(status, { 'Content-Type': 'application/xml', 'Content-Length': Buffer.byteLength(xml), Connection: 'close' });
  res.end(res.req.method === 'HEAD' ? undefined : xml);
}

const FLEXIBLE = (req: IncomingMessage) =>
  Object.keys(req.headers).some((h) => h.startsWith('x-amz-checksum-') || h === 'x-amz-sdk-checksum-algorithm' || h === 'x-amz-trailer') ||
  String(req.headers['x-amz-content-sha256'] ?? '').startsWith('STREAMING-');

/** Starts the proxy. @throws Error when no port can be bound */
export async function startS3FaultProxy(options: S3FaultProxyOptions): Promise<S3FaultProxy> {
  const rules: S3FaultRule[] = [];
  const requests: ProxiedRequest[] = [];
  const sockets = new Set<Socket>();
  const held = new Set<IncomingMessage>();
  const target = new URL(options.target);
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

  const uploads = new Map<string, 'pending' | 'completed' | 'aborted'>();
  const uploadIdOf = (req: IncomingMessage) => new URL(req.url ?? '/', 'http://proxy.invalid').searchParams.get('uploadId') ?? '';

  const forward = (req: IncomingMessage, res: ServerResponse, entry: ProxiedRequest) => {
    const upstream = request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (up) => {
      entry.status = up.statusCode ?? 0;
      res.writeHead(up.statusCode ?? 502, up.headers);
      if (entry.op === 'CreateMultipartUpload') {
        let xml = '';
        up.on('data', (d: Buffer) => (xml += d.toString()));
        up.on('end', () => {
          const id = /<UploadId>([^<]+)<\/UploadId>/.exec(xml)?.[1];
          if (id) uploads.set(id, 'pending');
        });
      }
      if (entry.op === 'CompleteMultipartUpload' && up.statusCode === 200) uploads.set(uploadIdOf(req), 'completed');
      up.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
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
    if (!rule) return forward(req, res, entry);
    const action = rule.action;
    if (action.kind === 'error') return refuse(req, res, entry, action.status, action.code, action.message ?? `Injected ${action.code}.`);
    injected++;
    entry.fault = action.kind;
    if (action.kind === 'hold') {
      held.add(req);
      req.resume();
      return;
    }
    let seen = 0;
    const limit = action.afterBodyBytes ?? 0;
    if (limit === 0) return req.socket.destroy();
    req.on('data', (chunk: Buffer) => {
      seen += chunk.length;
      if (seen >= limit) req.socket.destroy();
    });
    req.once('end', () => req.socket.destroy());
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
