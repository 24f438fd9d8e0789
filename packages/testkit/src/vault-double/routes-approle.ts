import { authorize, openModel } from './acl';
import { issueSecretId, login, type RoleParams, writeRole } from './approle';
import type { Cluster } from './cluster';
import { type Ctx, envelope, HttpError, ok, readJson, type Reply } from './http-util';
import type { Model, RoleEntry } from './model';
import { READ, type Route, WRITE } from './route';
import { authBlock } from './routes-token';
import { maybeWrap } from './wrapping';

const LOCKOUT_THRESHOLD = 5;
const LOCKOUT_MS = 15 * 60 * 1000;

/** Resolves `auth/<mount>/`; @throws HttpError 404 like Vault for a mount that is not enabled. */
function approleMount(ctx: Ctx, mount: string): Model {
  const model = openModel(ctx);
  if (model.authMounts.get(`${mount}/`)?.type !== 'approle') {
    throw new HttpError(404, [`no handler for route "${ctx.path}". route entry not found.`]);
  }
  return model;
}

function isLockedOut(cluster: Cluster, roleId: string): boolean {
  const entry = cluster.lockouts.get(roleId);
  return entry !== undefined && entry.count >= LOCKOUT_THRESHOLD && Date.now() - entry.lastFailure < LOCKOUT_MS;
}

async function handleLogin(ctx: Ctx, match: RegExpExecArray): Promise<Reply> {
  const mount = match[1] ?? '';
  const model = approleMount(ctx, mount);
  const body = await readJson(ctx.req);
  if (typeof body.role_id !== 'string' || body.role_id === '') throw new HttpError(400, ['missing role_id']);
  const { cluster } = ctx;
  if (isLockedOut(cluster, body.role_id)) throw new HttpError(403, ['permission denied']);
  const result = login(model, mount, body, ctx.remoteIp);
  if ('error' in result) {
    if (result.kind === 'invalid') {
      const entry = cluster.lockouts.get(body.role_id) ?? { count: 0, lastFailure: 0 };
      cluster.lockouts.set(body.role_id, { count: entry.count + 1, lastFailure: Date.now() });
      cluster.stats.failedLogins += 1;
    }
    throw result.error;
  }
  cluster.lockouts.delete(body.role_id);
  cluster.write();
  return { status: 200, body: envelope({ auth: authBlock(result) }) };
}

function roleData(role: RoleEntry): Record<string, unknown> {
  return {
    bind_secret_id: role.bindSecretId,
    local_secret_ids: false,
    secret_id_bound_cidrs: role.secretIdBoundCidrs,
    secret_id_num_uses: role.secretIdNumUses,
    secret_id_ttl: role.secretIdTtl,
    token_bound_cidrs: role.tokenBoundCidrs,
    token_explicit_max_ttl: 0,
    token_max_ttl: role.tokenMaxTtl,
    token_no_default_policy: false,
    token_num_uses: role.tokenNumUses,
    token_period: 0,
    token_policies: role.tokenPolicies,
    policies: role.tokenPolicies,
    token_ttl: role.tokenTtl,
    token_type: 'default',
  };
}

/** Finds a role after checking the token; @throws HttpError 404 (empty errors) when missing. */
function roleFor(ctx: Ctx, match: RegExpExecArray, caps: string[]): { model: Model; role: RoleEntry } {
  const [, mount = '', name = ''] = match;
  const model = approleMount(ctx, mount);
  authorize(ctx, ctx.path, caps);
  const role = model.roles.get(`${mount}/${name}`);
  if (!role) throw new HttpError(404, []);
  return { model, role };
}

async function handleRoleWrite(ctx: Ctx, match: RegExpExecArray): Promise<Reply> {
  const [, mount = '', name = ''] = match;
  const model = approleMount(ctx, mount);
  authorize(ctx, ctx.path, model.roles.has(`${mount}/${name}`) ? ['update'] : ['create']);
  writeRole(model, mount, name, (await readJson(ctx.req)) as RoleParams);
  ctx.cluster.write();
  return { status: 204 };
}

/** AppRole login and role management, on any approle mount. */
export const approleRoutes: Route[] = [
  { methods: WRITE, pattern: /^auth\/([^/]+)\/login$/, handle: handleLogin },
  { methods: WRITE, pattern: /^auth\/([^/]+)\/role\/([^/]+)$/, handle: handleRoleWrite },
  { methods: READ, pattern: /^auth\/([^/]+)\/role\/([^/]+)$/, handle: (ctx, m) => ok(roleData(roleFor(ctx, m, ['read']).role)) },
  {
    methods: ['DELETE'],
    pattern: /^auth\/([^/]+)\/role\/([^/]+)$/,
    handle: (ctx, m) => {
      const [, mount = '', name = ''] = m;
      const model = approleMount(ctx, mount);
      authorize(ctx, ctx.path, ['delete']);
      model.roles.delete(`${mount}/${name}`);
      ctx.cluster.write();
      return { status: 204 };
    },
  },
  { methods: READ, pattern: /^auth\/([^/]+)\/role\/([^/]+)\/role-id$/, handle: (ctx, m) => ok({ role_id: roleFor(ctx, m, ['read']).role.roleId }) },
  {
    methods: WRITE,
    pattern: /^auth\/([^/]+)\/role\/([^/]+)\/secret-id$/,
    handle: async (ctx, m) => {
      const { model, role } = roleFor(ctx, m, ['update', 'create']);
      const entry = issueSecretId(model, role, await readJson(ctx.req));
      ctx.cluster.write();
      const data = { secret_id: entry.secretId, secret_id_accessor: entry.accessor, secret_id_ttl: entry.ttl, secret_id_num_uses: entry.numUses };
      return maybeWrap(ctx, data, ctx.path);
    },
  },
];
