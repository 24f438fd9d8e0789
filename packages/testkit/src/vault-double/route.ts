import type { Ctx, Reply } from './http-util';

/**
 * How a request meets the node (internal/http/handler.go): `logical` requests share the state lock and are
 * forwarded by a standby to the active node; `local` handlers (seal-status, unseal, init, seal) run on the
 * node they reach and take the lock themselves; `health` takes no lock at all.
 */
export type RouteScope = 'logical' | 'local' | 'health';

/** One endpoint: methods, a pattern over the path after `/v1/`, and its handler. */
export interface Route {
  methods: string[];
  pattern: RegExp;
  /** Default `logical`. */
  scope?: RouteScope;
  /**
   * Only for the auth mount (group 1 of the pattern) of one of these types: other mounts, and a sealed
   * node, fall through to the next route (Vault's router picks the backend by mount, internal/vault/router.go).
   */
  mountTypes?: string[];
  handle: (ctx: Ctx, match: RegExpExecArray) => Promise<Reply> | Reply;
}

export const WRITE = ['PUT', 'POST'];
export const READ = ['GET'];
