import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import type { Cluster } from './cluster';
import { forwardTarget, isStandby } from './forwarding';
import { type Ctx, HttpError, type Reply, sendError, sendJson } from './http-util';
import { type NodeState, withLock } from './node';
import type { Route } from './route';
import { adminRoutes } from './routes-admin';
import { approleRoutes } from './routes-approle';
import { authMethodRoutes } from './routes-auth-methods';
import { healthRoutes } from './routes-health';
import { kvRoutes } from './routes-kv';
import { raftRoutes } from './routes-raft';
import { sealRoutes } from './routes-seal';
import { tokenRoutes } from './routes-token';
import type { VaultDoubleOptions } from './types';
import { wrappingRoutes } from './wrapping';

const ROUTES: Route[] = [...healthRoutes, ...sealRoutes, ...raftRoutes, ...adminRoutes, ...wrappingRoutes, ...tokenRoutes, ...authMethodRoutes, ...approleRoutes, ...kvRoutes];

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

/** Whether a route bound to mount types serves this match (the mount's type, in open storage). */
function servesMount(cluster: Cluster, route: Route, match: RegExpExecArray): boolean {
  if (!route.mountTypes) return true;
  const type = cluster.storage.model?.authMounts.get(`${match[1] ?? ''}/`)?.type;
  return type !== undefined && route.mountTypes.includes(type);
}

function findRoute(cluster: Cluster, method: string, path: string): { route: Route; match: RegExpExecArray } | 'method' | undefined {
  let pathMatched = false;
  for (const route of ROUTES) {
    const match = route.pattern.exec(path);
    if (!match || !servesMount(cluster, route, match)) continue;
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

/**
 * Logical requests (internal/vault/core.go `HandleRequest`) share the node's state lock, so they wait while an unseal,
 * init or restore apply holds it. On an unsealed standby they go to the active node (internal/http/handler.go
 * `forwardRequest`), under that node's lock; the snapshot paths get a 307 instead.
 */
async function dispatch(ctx: Ctx, route: Route, match: RegExpExecArray): Promise<Reply> {
  if (route.scope === 'health' || route.scope === 'local') return route.handle(ctx, match);
  const { node } = ctx;
  const local = await withLock(node, false, async () => (isStandby(node) ? { forwardTo: forwardTarget(ctx) } : { reply: await route.handle(ctx, match) }));
  if (local === undefined || 'reply' in local) return local?.reply;
  const target = local.forwardTo;
  return target && withLock(target, false, () => route.handle({ ...ctx, node: target }, match));
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
  const found = findRoute(cluster, method, path);
  if (found === undefined) return sendError(res, 404, [`no handler for route "${path}". route entry not found.`]);
  if (found === 'method') return sendError(res, 405, ['1 error occurred:\n\t* unsupported operation\n\n']);
  const remoteIp = (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
  const ctx: Ctx = { cluster, node, req, res, method, path, query: url.searchParams, remoteIp };
  try {
    reply(res, await dispatch(ctx, found.route, found.match));
  } catch (err) {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    if (err instanceof HttpError) sendError(res, err.status, err.errors);
    else sendError(res, 500, [(err as Error).message]);
  }
}

/** One node's HTTP(S) listener; keeps its sockets (`node.sockets`) so a restart or close() can drop them. */
export function createNodeServer(cluster: Cluster, node: NodeState, options: VaultDoubleOptions): Server {
  const listener = (req: IncomingMessage, res: ServerResponse) => void handle(cluster, node, req, res);
  const server = options.tls ? createHttpsServer({ cert: options.tls.cert, key: options.tls.key }, listener) : createHttpServer(listener);
  // Large restores stream for a long time: no request timeout, as with a raised http_read_timeout.
  server.requestTimeout = 0;
  server.on('connection', (socket: Socket) => {
    if (cluster.faults.refuseConnections) {
      socket.destroy();
      return;
    }
    node.sockets.add(socket);
    socket.on('close', () => node.sockets.delete(socket));
  });
  return server;
}
