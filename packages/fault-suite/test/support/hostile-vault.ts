import { createServer as createHttpServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';

/** One request a hostile server saw: what it would have learnt. */
export interface Seen {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
  /** Epoch milliseconds when the request arrived. */
  at: number;
}

/** A small server on 127.0.0.1 that records every request it receives. */
export interface HostileServer {
  url: string;
  seen: Seen[];
  /** Everything it was sent (headers and bodies) as one string, to search for secrets. */
  received(): string;
  close(): Promise<void>;
}

export type Handler = (req: IncomingMessage, res: ServerResponse, seen: Seen) => void;

/** Starts a server (https when `tls` is given) that records each request, then hands it to `handle`. */
export async function startHostile(handle: Handler, tls?: { cert: string; key: string }): Promise<HostileServer> {
  const seen: Seen[] = [];
  const sockets = new Set<Socket>();
  const listener = (req: IncomingMessage, res: ServerResponse) => {
    const entry: Seen = { method: req.method ?? 'GET', path: (req.url ?? '').split('?')[0] ?? '', headers: req.headers, body: '', at: Date.now() };
    seen.push(entry);
    handle(req, res, entry);
  };
  const server: Server = tls ? createHttpsServer({ cert: tls.cert, key: tls.key }, listener) : createHttpServer(listener);
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    received: () => seen.map((s) => `${s.method} ${s.path} ${JSON.stringify(s.headers)} ${s.body}`).join('\n'),
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** Reads a whole (small) request body into `seen.body`. */
function collect(req: IncomingMessage, seen: Seen, done: () => void): void {
  req.on('data', (c: Buffer) => {
    if (seen.body.length < 1 << 20) seen.body += c.toString('latin1');
  });
  req.on('end', done);
}

/** A redirect target: records everything it is sent (headers and body) and answers 200 `{}`. */
export function startRecorder(tls?: { cert: string; key: string }): Promise<HostileServer> {
  return startHostile((req, res, seen) => collect(req, seen, () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}')), tls);
}

/** Forwards a request unchanged to `target` (an http Vault double) and its answer back. */
export function proxyTo(target: string, req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(target);
  const upstream = request({ host: url.hostname, port: url.port, method: req.method, path: req.url, headers: { ...req.headers, host: url.host } }, (up) => {
    res.writeHead(up.statusCode ?? 502, up.headers);
    up.pipe(res);
  });
  upstream.on('error', () => res.destroy());
  req.pipe(upstream);
}

/**
 * A Vault in front of a double that answers the requests `redirect` picks with 307 to the address it
 * returns (path and query kept), and forwards every other request to the double.
 */
export function startRedirector(target: string, redirect: (method: string, path: string) => string | undefined, tls?: { cert: string; key: string }): Promise<HostileServer> {
  return startHostile((req, res, seen) => {
    const to = redirect(seen.method, seen.path);
    if (to === undefined) return proxyTo(target, req, res);
    req.resume();
    res.writeHead(307, { location: `${to}${req.url ?? ''}`, 'content-type': 'text/html' }).end('<a>Temporary Redirect</a>');
  }, tls);
}

/** A snapshot GET answered 200 that then sends `bytes` one chunk of `chunkBytes` every `everyMs`, and never ends. */
export function startCrawlingSnapshot(bytes: Buffer, o: { chunkBytes: number; everyMs: number }): Promise<HostileServer> {
  const timers = new Set<NodeJS.Timeout>();
  return startHostile((req, res) => {
    req.resume();
    if (!(req.url ?? '').startsWith('/v1/sys/storage/raft/snapshot')) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"errors":[]}');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/gzip' });
    let offset = 0;
    const timer = setInterval(() => {
      // never the last bytes: the archive stays incomplete, so the stream can only end by the client's choice
      if (offset + o.chunkBytes < bytes.length) res.write(bytes.subarray(offset, offset + o.chunkBytes));
      offset += o.chunkBytes;
    }, o.everyMs);
    timers.add(timer);
    res.on('close', () => {
      clearInterval(timer);
      timers.delete(timer);
    });
  });
}

/**
 * A Vault in front of a double that forwards everything but the restore upload, whose body it reads
 * at `bytesPerSecond` (in 10 slices a second) and never answers.
 */
export function startSlowReader(target: string, bytesPerSecond: number): Promise<HostileServer> {
  return startHostile((req, res, seen) => {
    if (!(seen.method === 'POST' && seen.path.startsWith('/v1/sys/storage/raft/snapshot'))) return proxyTo(target, req, res);
    req.pause();
    let read = 0;
    const slice = Math.max(1, Math.floor(bytesPerSecond / 10));
    const timer = setInterval(() => {
      const chunk: Buffer | null = req.read(slice) ?? req.read();
      if (chunk !== null) read += chunk.length;
      seen.body = `${read} bytes read`;
    }, 100);
    res.on('close', () => clearInterval(timer));
    req.on('close', () => clearInterval(timer));
  });
}
