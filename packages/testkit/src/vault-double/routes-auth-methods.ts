import { authorize, openModel } from './acl';
import { type Ctx, envelope, HttpError, ok, readJson, type Reply } from './http-util';
import { jwtConfigData, jwtLogin, jwtRoleData, writeJwtConfig, writeJwtRole } from './jwt-method';
import { kubernetesConfigData, kubernetesLogin, kubernetesRoleData, writeKubernetesConfig, writeKubernetesRole } from './kubernetes-method';
import type { Model } from './model';
import { READ, type Route, WRITE } from './route';
import { authBlock } from './routes-token';

/** The auth methods served here; a route of this file only matches a mount of one of these types. */
export const METHOD_TYPES = ['kubernetes', 'jwt'];

type MethodType = 'kubernetes' | 'jwt';

function mountOf(ctx: Ctx, match: RegExpExecArray): { model: Model; mount: string; type: MethodType } {
  const model = openModel(ctx);
  const mount = match[1] ?? '';
  const type = model.authMounts.get(`${mount}/`)?.type;
  if (type !== 'kubernetes' && type !== 'jwt') throw new HttpError(404, [`no handler for route "${ctx.path}". route entry not found.`]);
  return { model, mount, type };
}

/** `auth/<mount>/login`: unauthenticated (the request's token is ignored), as every login path. */
async function login(ctx: Ctx, match: RegExpExecArray): Promise<Reply> {
  const { model, mount, type } = mountOf(ctx, match);
  const body = await readJson(ctx.req);
  const token = type === 'kubernetes' ? kubernetesLogin(model, mount, body, ctx.remoteIp) : jwtLogin(model, mount, body, ctx.remoteIp);
  ctx.cluster.write();
  return { status: 200, body: envelope({ auth: authBlock(token) }) };
}

async function writeConfig(ctx: Ctx, match: RegExpExecArray): Promise<Reply> {
  const { model, mount, type } = mountOf(ctx, match);
  authorize(ctx, ctx.path, ['create', 'update']);
  const body = await readJson(ctx.req);
  if (type === 'kubernetes') writeKubernetesConfig(model, mount, body);
  else writeJwtConfig(model, mount, body);
  ctx.cluster.write();
  return { status: 204 };
}

/** A read of nothing is 404 with an empty error list (sdk/logical/response_util.go `RespondErrorCommon`, ReadOperation). */
function readConfig(ctx: Ctx, match: RegExpExecArray): Reply {
  const { model, mount } = mountOf(ctx, match);
  authorize(ctx, ctx.path, ['read']);
  const stored = model.methodConfigs.get(mount);
  if (!stored) throw new HttpError(404, []);
  return ok(stored.type === 'kubernetes' ? kubernetesConfigData(stored.config) : jwtConfigData(stored.config));
}

/** A role write answers 204, or 200 with the warnings Vault adds (a Kubernetes role without audience). */
async function writeRole(ctx: Ctx, match: RegExpExecArray): Promise<Reply> {
  const { model, mount, type } = mountOf(ctx, match);
  const name = match[2] ?? '';
  authorize(ctx, ctx.path, ['create', 'update']);
  const body = await readJson(ctx.req);
  const warnings = type === 'kubernetes' ? writeKubernetesRole(model, mount, name, body) : writeJwtRole(model, mount, name, body);
  ctx.cluster.write();
  return warnings.length === 0 ? { status: 204 } : { status: 200, body: { ...envelope({}), warnings } };
}

function roleKey(type: MethodType, mount: string, name: string): string {
  // the Kubernetes method stores roles under their lower-cased name (path_role.go); the JWT method as given
  return `${mount}/${type === 'kubernetes' ? name.toLowerCase() : name}`;
}

function readRole(ctx: Ctx, match: RegExpExecArray): Reply {
  const { model, mount, type } = mountOf(ctx, match);
  authorize(ctx, ctx.path, ['read']);
  const entry = model.methodRoles.get(roleKey(type, mount, match[2] ?? ''));
  if (!entry) throw new HttpError(404, []);
  return ok(entry.type === 'kubernetes' ? kubernetesRoleData(entry.role) : jwtRoleData(entry.role));
}

function deleteRole(ctx: Ctx, match: RegExpExecArray): Reply {
  const { model, mount, type } = mountOf(ctx, match);
  authorize(ctx, ctx.path, ['delete']);
  model.methodRoles.delete(roleKey(type, mount, match[2] ?? ''));
  ctx.cluster.write();
  return { status: 204 };
}

/** Kubernetes and JWT auth: config, roles and login on any mount of those types (nested mount paths too). */
export const authMethodRoutes: Route[] = [
  { methods: WRITE, pattern: /^auth\/(.+)\/login$/, mountTypes: METHOD_TYPES, handle: login },
  { methods: WRITE, pattern: /^auth\/(.+)\/config$/, mountTypes: METHOD_TYPES, handle: writeConfig },
  { methods: READ, pattern: /^auth\/(.+)\/config$/, mountTypes: METHOD_TYPES, handle: readConfig },
  { methods: WRITE, pattern: /^auth\/(.+)\/role\/([^/]+)$/, mountTypes: METHOD_TYPES, handle: writeRole },
  { methods: READ, pattern: /^auth\/(.+)\/role\/([^/]+)$/, mountTypes: METHOD_TYPES, handle: readRole },
  { methods: ['DELETE'], pattern: /^auth\/(.+)\/role\/([^/]+)$/, mountTypes: METHOD_TYPES, handle: deleteRole },
];
