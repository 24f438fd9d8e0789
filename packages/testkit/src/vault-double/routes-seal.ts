import { authorize } from './acl';
import type { Cluster, NodeState } from './cluster';
import { type Ctx, HttpError, readJson, type Reply, sendJson } from './http-util';
import { READ, type Route, VERSION, WRITE } from './route';

/** The body of `sys/seal-status` (also returned by `sys/unseal`). */
export function sealStatus(cluster: Cluster, node: NodeState): Record<string, unknown> {
  const config = cluster.sealConfig;
  const shamir = cluster.shamir;
  const model = node.sealed ? undefined : cluster.model;
  return {
    type: config?.type ?? cluster.sealType,
    initialized: cluster.initialized,
    sealed: node.sealed,
    t: config ? (shamir ? config.secretThreshold : config.recoveryThreshold) : 0,
    n: config ? (shamir ? config.secretShares : config.recoveryShares) : 0,
    progress: node.progress.length,
    nonce: '',
    version: VERSION,
    build_date: '2024-09-26T00:00:00Z',
    migration: false,
    ...(model ? { cluster_name: model.clusterName, cluster_id: model.clusterId } : {}),
    recovery_seal: !shamir,
    storage_type: 'raft',
  };
}

function codeParam(ctx: Ctx, name: string, fallback: number): number {
  const value = ctx.query.get(name);
  const code = value === null ? Number.NaN : Number(value);
  return Number.isInteger(code) && code >= 100 && code < 600 ? code : fallback;
}

/** `sys/health` status: uninitialized, sealed, standby, active in that precedence. */
function healthCode(ctx: Ctx): number {
  const { cluster, node } = ctx;
  if (!cluster.initialized) return codeParam(ctx, 'uninitcode', 501);
  if (node.sealed) return codeParam(ctx, 'sealedcode', 503);
  const active = codeParam(ctx, 'activecode', 200);
  if (node.index === 0) return active;
  const standbyOk = ctx.query.has('standbyok') && ctx.query.get('standbyok') !== 'false';
  return standbyOk ? active : codeParam(ctx, 'standbycode', 429);
}

function health(ctx: Ctx): Reply {
  const { cluster, node } = ctx;
  const model = node.sealed ? undefined : cluster.model;
  sendJson(ctx.res, healthCode(ctx), {
    initialized: cluster.initialized,
    sealed: node.sealed,
    standby: node.index !== 0 && !node.sealed,
    performance_standby: false,
    replication_performance_mode: 'disabled',
    replication_dr_mode: 'disabled',
    server_time_utc: Math.floor(Date.now() / 1000),
    version: VERSION,
    enterprise: false,
    ...(model ? { cluster_name: model.clusterName, cluster_id: model.clusterId } : {}),
    echo_duration_ms: 0,
    clock_skew_ms: 0,
  });
  return undefined;
}

function nonZero(body: Record<string, unknown>, names: string[]): string[] {
  return names.filter((n) => body[n] !== undefined && body[n] !== 0 && body[n] !== null);
}

async function init(ctx: Ctx): Promise<Reply> {
  const body = await readJson(ctx.req);
  const { cluster } = ctx;
  if (cluster.initialized) throw new HttpError(400, ['Vault is already initialized']);
  const shamir = cluster.sealType === 'shamir';
  const wrong = nonZero(body, shamir ? ['recovery_shares', 'recovery_threshold'] : ['secret_shares', 'secret_threshold']);
  if (wrong.length > 0) throw new HttpError(400, [`parameters ${wrong.join(',')} not applicable to seal type ${cluster.sealType}`]);
  const shares = Number(body[shamir ? 'secret_shares' : 'recovery_shares'] ?? (shamir ? 0 : 5));
  const threshold = Number(body[shamir ? 'secret_threshold' : 'recovery_threshold'] ?? (shamir ? 0 : 3));
  if (!Number.isInteger(shares) || !Number.isInteger(threshold) || shares < 1 || threshold < 1) {
    throw new HttpError(400, [`invalid ${shamir ? 'seal' : 'recovery'} configuration: shares and threshold must be at least 1`]);
  }
  if (threshold > shares) throw new HttpError(400, ['invalid seal configuration: threshold cannot be larger than shares']);
  if (threshold === 1 && shares > 1) throw new HttpError(400, ['invalid seal configuration: threshold must be greater than one for multiple shares']);
  return { status: 200, body: { ...cluster.initialize(shares, threshold) } };
}

async function unseal(ctx: Ctx): Promise<Reply> {
  const body = await readJson(ctx.req);
  const { cluster, node } = ctx;
  if (body.reset === true) {
    node.progress = [];
  } else {
    if (typeof body.key !== 'string' || body.key === '') throw new HttpError(400, ["'key' must be specified in request body as JSON, or 'reset' set to true"]);
    const error = cluster.unseal(node, body.key);
    if (error) throw new HttpError(400, [error]);
  }
  return { status: 200, body: sealStatus(cluster, node) };
}

/** Health, seal status, init, unseal and seal. */
export const sealRoutes: Route[] = [
  { methods: ['GET', 'HEAD'], pattern: /^sys\/health$/, handle: health },
  { methods: READ, pattern: /^sys\/seal-status$/, handle: (ctx) => ({ status: 200, body: sealStatus(ctx.cluster, ctx.node) }) },
  { methods: READ, pattern: /^sys\/init$/, handle: (ctx) => ({ status: 200, body: { initialized: ctx.cluster.initialized } }) },
  { methods: WRITE, pattern: /^sys\/init$/, handle: init },
  { methods: WRITE, pattern: /^sys\/unseal$/, handle: unseal },
  {
    methods: WRITE,
    pattern: /^sys\/seal$/,
    handle: (ctx) => {
      authorize(ctx, 'sys/seal', ['sudo']);
      ctx.cluster.seal(ctx.node);
      return { status: 204 };
    },
  },
];
