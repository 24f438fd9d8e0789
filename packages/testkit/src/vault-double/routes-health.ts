import { type Ctx, type Reply, sendError } from './http-util';
import type { Route } from './route';
import { isInitialized } from './seal-access';
import { clusterInfo } from './seal-status';

const GO_BOOLS: Record<string, boolean> = { 1: true, t: true, T: true, TRUE: true, true: true, True: true, 0: false, f: false, F: false, FALSE: false, false: false, False: false };

/** A `...code` query parameter (internal/http/sys_health.go `fetchStatusCode`): absent = fallback, not an integer = 400. */
function codeParam(ctx: Ctx, name: string, fallback: number): number | undefined {
  const value = ctx.query.get(name);
  if (value === null) return fallback;
  if (!/^[+-]?\d+$/.test(value)) return undefined;
  const code = Number(value);
  // Go's WriteHeader panics outside 100..999; the double keeps the default there instead.
  return code >= 100 && code <= 599 ? code : fallback;
}

function boolParam(ctx: Ctx, name: string): boolean | undefined {
  const text = ctx.query.get(name);
  return text === null ? false : GO_BOOLS[text];
}

/**
 * Vault also parses the replication parameters (perfstandbyok, drsecondarycode, performancestandbycode), so a
 * bad value is 400 there; it never answers 472/473 here (no replication). OpenBao has none of them.
 */
function vaultOnlyParamsBad(ctx: Ctx): boolean {
  if (ctx.cluster.product.flavor !== 'vault') return false;
  return boolParam(ctx, 'perfstandbyok') === undefined || codeParam(ctx, 'drsecondarycode', 472) === undefined || codeParam(ctx, 'performancestandbycode', 473) === undefined;
}

/** Status code in the precedence of internal/http/sys_health.go `getSysHealth`: uninitialized, sealed, standby, active. */
function healthCode(ctx: Ctx): number | undefined {
  const standbyOk = boolParam(ctx, 'standbyok');
  const codes = { uninit: codeParam(ctx, 'uninitcode', 501), sealed: codeParam(ctx, 'sealedcode', 503), standby: codeParam(ctx, 'standbycode', 429), active: codeParam(ctx, 'activecode', 200) };
  if (standbyOk === undefined || vaultOnlyParamsBad(ctx) || Object.values(codes).some((c) => c === undefined)) return undefined;
  const { cluster, node } = ctx;
  if (!isInitialized(cluster, node)) return codes.uninit;
  if (node.sealed) return codes.sealed;
  if (node.index !== 0 && !standbyOk) return codes.standby;
  return codes.active;
}

/** The body's fields per flavor (hashicorp/vault http/sys_health.go `HealthResponse`; OpenBao drops the enterprise ones). */
function healthBody(ctx: Ctx): Record<string, unknown> {
  const { cluster, node } = ctx;
  const vault = cluster.product.flavor === 'vault';
  return {
    initialized: isInitialized(cluster, node),
    sealed: node.sealed,
    // `Standby()` is an atomic that is true whenever the node is not the active one, sealed included.
    standby: node.sealed || node.index !== 0,
    ...(vault ? { performance_standby: false } : {}),
    replication_performance_mode: 'disabled',
    replication_dr_mode: 'disabled',
    server_time_utc: Math.floor(Date.now() / 1000),
    version: cluster.product.version,
    ...(vault ? { enterprise: false } : {}),
    ...clusterInfo(cluster, node),
    ...(vault ? { echo_duration_ms: 0, clock_skew_ms: 0, replication_primary_canary_age_ms: 0 } : {}),
  };
}

/**
 * `sys/health` (GET and HEAD) reads atomics (`Sealed()`, `Standby()`) and takes no state lock, so it answers
 * while an unseal or a restore apply holds the lock. A bad parameter is 400 with an empty error list.
 */
function health(ctx: Ctx): Reply {
  const code = healthCode(ctx);
  if (code === undefined) {
    sendError(ctx.res, 400, []);
    return undefined;
  }
  const text = `${JSON.stringify(healthBody(ctx))}\n`;
  ctx.res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  ctx.res.end(ctx.method === 'HEAD' ? undefined : text);
  return undefined;
}

/** `sys/health`. */
export const healthRoutes: Route[] = [{ methods: ['GET', 'HEAD'], pattern: /^sys\/health$/, scope: 'health', handle: health }];
