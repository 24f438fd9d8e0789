import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import type { Cluster, NodeState } from './cluster';
import { type Ctx, HttpError, type Reply, sendError, sendJson } from './http-util';
import type { Route } from './route';
import { adminRoutes } from './routes-admin';
import { approleRoutes } from './routes-approle';
import { kvRoutes } from './routes-kv';
import { raftRoutes } from './routes-raft';
import { sealRoutes } from './routes-seal';
import { tokenRoutes } from './routes-token';
import type { VaultDoubleOptions } from './types';
import { wrappingRoutes } from './wrapping';

const ROUTES: Route[] = [...sealRoutes, ...raftRoutes, ...adminRoutes, ...wrappingRoutes, ...tokenRoutes, ...approleRoutes, ...kvRoutes];

const FAIL_MESSAGES: Record<number, string> = { 429: 'rate limit quota exceeded', 503: 'Vault is sealed', 500: 'internal error' };

/** Answers from the `failNext` fault when it matches; true when it answered. */
function injectedFailure(cluster: Cluster, path: string, res: ServerResponse): boolean {
  const fail = cluster.faults.failNext;
  if (!fail || fail.times <= 0) return false;
  if (typeof fail.path === 'string' ? fail.path !== path : !fail.path.test(path)) return false;
  fail.times -= 1;
  if (fail.times <= 0) cluster.faults.failNext = undefined;
  sendJson(res, fail.status, fail.body ?? { errors: [FAIL_MESSAGES[fail.status] ?? 'injected failure'] });
  return true;
}

function findRoute(method: string, path: string): { route: Route; match: RegExpExecArray } | 'method' | undefined {
  let pathMatched = false;
  for (const route of ROUTES) {
    const match = route.pattern.exec(path);
    if (!match) continue;
    if (route.methods.includes(method)) return { route, match };
    pathMatched = true;
  }
  return pathMatched ? 'method' : undefined;
}

function reply(res: ServerResponse, result: Reply): void {
  if (!result || res.headersSent) return;
  if (result.status === 204) {
    res.writeHead(204);
    res.end();
  } else sendJson(res, 200, result.body);
}

async function handle(cluster: Cluster, node: NodeState, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (cluster.faults.refuseConnections) {
    req.socket.destroy();
    return;
  }
  const url = new URL(req.url ?? '/', 'http://double');
  const method = req.method ?? 'GET';
  res.on('close', () => cluster.requests.push({ node: node.index, method, path: url.pathname, status: res.statusCode }));
  if (injectedFailure(cluster, url.pathname, res)) return;
  if (!url.pathname.startsWith('/v1/')) return sendError(res, 404, []);
  const path = url.pathname.slice(4).replace(/\/+$/, '');
  const found = findRoute(method, path);
  if (found === undefined) return sendError(res, 404, [`no handler for route "${path}". route entry not found.`]);
  if (found === 'method') return sendError(res, 405, ['1 error occurred:\n\t* unsupported operation\n\n']);
  const remoteIp = (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
  const ctx: Ctx = { cluster, node, req, res, method, path, query: url.searchParams, remoteIp };
  try {
    reply(res, await found.route.handle(ctx, found.match));
  } catch (err) {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    if (err instanceof HttpError) sendError(res, err.status, err.errors);
    else sendError(res, 500, [(err as Error).message]);
  }
}

/** One node's HTTP(S) listener; keeps its sockets so close() can end stalled streams. */
export function createNodeServer(cluster: Cluster, node: NodeState, options: VaultDoubleOptions): { server: Server; sockets: Set<Socket> } {
  const listener = (req: IncomingMessage, res: ServerResponse) => void handle(cluster, node, req, res);
  const server = options.tls ? createHttpsServer({ cert: options.tls.cert, key: options.tls.key }, listener) : createHttpServer(listener);
  // Large restores stream for a long time: no request timeout, as with a raised http_read_timeout.
  server.requestTimeout = 0;
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    if (cluster.faults.refuseConnections) {
      socket.destroy();
      return;
    }
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  return { server, sockets };
}
