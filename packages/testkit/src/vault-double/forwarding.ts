import { type Ctx, HttpError } from './http-util';
import type { NodeState } from './node';

/** internal/http/handler.go `alwaysRedirectPaths`: the only paths a standby answers with a redirect. */
const ALWAYS_REDIRECT = new Set(['sys/storage/raft/snapshot', 'sys/storage/raft/snapshot-force']);

/** A standby without an active node: Vault redirects-or-forwards into 503, OpenBao checks the leader first (500). */
function noActiveNode(ctx: Ctx): HttpError {
  return ctx.cluster.product.flavor === 'openbao' ? new HttpError(500, ['local node not active but active cluster node not found']) : new HttpError(503, ['no active Vault instance found']);
}

/**
 * internal/http/handler.go `forwardRequest` on an unsealed standby: the two snapshot paths get 307 to the active node
 * (`respondStandby`, same path and query); everything else is forwarded and answered as the active node would.
 * Returns the node that handles the request, or undefined when the redirect was sent.
 * @throws HttpError when there is no active node.
 */
export function forwardTarget(ctx: Ctx): NodeState | undefined {
  const active = ctx.cluster.activeNode();
  if (!active) throw noActiveNode(ctx);
  if (!ALWAYS_REDIRECT.has(ctx.path)) return active;
  const url = new URL(ctx.req.url ?? '/', active.url);
  ctx.res.writeHead(307, { Location: `${active.url}${url.pathname}${url.search}`, 'Content-Length': 0 });
  ctx.res.end();
  return undefined;
}

/** Whether the node is an unsealed standby, whose logical requests go to the active node. */
export function isStandby(node: NodeState): boolean {
  return !node.sealed && node.index !== 0;
}
