import { authorize, openModel } from './acl';
import { newAccessor } from './crypto';
import { type Ctx, HttpError, ok, readJson, type Reply } from './http-util';
import { parsePolicy } from './policy';
import { READ, type Route, WRITE } from './route';

async function writePolicy(ctx: Ctx, match: RegExpExecArray): Promise<Reply> {
  const name = (match[2] ?? '').toLowerCase();
  const model = openModel(ctx);
  authorize(ctx, ctx.path, ['update', 'create']);
  const body = await readJson(ctx.req);
  const text = typeof body.policy === 'string' ? body.policy : body.rules;
  if (typeof text !== 'string' || text.trim() === '') throw new HttpError(400, ["'policy' parameter not supplied or empty"]);
  if (name === 'root') throw new HttpError(400, ['cannot update "root" policy']);
  try {
    parsePolicy(text);
  } catch (err) {
    throw new HttpError(400, [(err as Error).message]);
  }
  model.policies.set(name, text);
  ctx.cluster.write();
  return { status: 204 };
}

function readPolicy(ctx: Ctx, match: RegExpExecArray): Reply {
  const name = (match[2] ?? '').toLowerCase();
  const model = openModel(ctx);
  authorize(ctx, ctx.path, ['read']);
  const text = model.policies.get(name);
  if (text === undefined) throw new HttpError(404, []);
  return ok(match[1] === 'policies/acl' ? { name, policy: text } : { name, rules: text });
}

function deletePolicy(ctx: Ctx, match: RegExpExecArray): Reply {
  const name = (match[2] ?? '').toLowerCase();
  const model = openModel(ctx);
  authorize(ctx, ctx.path, ['delete']);
  if (name === 'root' || name === 'default') throw new HttpError(400, [`cannot delete "${name}" policy`]);
  model.policies.delete(name);
  ctx.cluster.write();
  return { status: 204 };
}

function listAuth(ctx: Ctx): Reply {
  const model = openModel(ctx);
  authorize(ctx, 'sys/auth', ['read', 'sudo']);
  const mounts = Object.fromEntries(
    [...model.authMounts].map(([path, m]) => [path, { type: m.type, accessor: m.accessor, description: m.description, config: { default_lease_ttl: 0, max_lease_ttl: 0 }, local: false, seal_wrap: false }]),
  );
  const reply = ok(mounts);
  // Vault also repeats the mounts at the top level of the response for older clients.
  return reply?.status === 200 ? { status: 200, body: { ...mounts, ...reply.body } } : reply;
}

async function enableAuth(ctx: Ctx, match: RegExpExecArray): Promise<Reply> {
  const path = `${(match[1] ?? '').replace(/\/+$/, '')}/`;
  const model = openModel(ctx);
  authorize(ctx, ctx.path, ['update', 'create', 'sudo']);
  const body = await readJson(ctx.req);
  if (typeof body.type !== 'string' || body.type === '') throw new HttpError(400, ['plugin type must be specified']);
  if (model.authMounts.has(path)) throw new HttpError(400, [`path is already in use at ${path}`]);
  if (!['approle', 'kubernetes', 'jwt', 'userpass'].includes(body.type)) throw new HttpError(400, [`plugin not found in the catalog: ${body.type}`]);
  model.authMounts.set(path, { type: body.type, accessor: `auth_${body.type}_${newAccessor().slice(0, 8)}`, description: String(body.description ?? '') });
  ctx.cluster.write();
  return { status: 204 };
}

function disableAuth(ctx: Ctx, match: RegExpExecArray): Reply {
  const path = `${(match[1] ?? '').replace(/\/+$/, '')}/`;
  const model = openModel(ctx);
  authorize(ctx, ctx.path, ['delete', 'sudo']);
  if (path === 'token/') throw new HttpError(400, ['token credential backend cannot be disabled']);
  model.authMounts.delete(path);
  for (const key of [...model.roles.keys()].filter((k) => k.startsWith(path))) model.roles.delete(key);
  for (const key of [...model.methodRoles.keys()].filter((k) => k.startsWith(path))) model.methodRoles.delete(key);
  model.methodConfigs.delete(path.slice(0, -1));
  ctx.cluster.write();
  return { status: 204 };
}

/** ACL policies and auth method mounts. */
export const adminRoutes: Route[] = [
  { methods: WRITE, pattern: /^sys\/(policies\/acl|policy)\/([^/]+)$/, handle: writePolicy },
  { methods: READ, pattern: /^sys\/(policies\/acl|policy)\/([^/]+)$/, handle: readPolicy },
  { methods: ['DELETE'], pattern: /^sys\/(policies\/acl|policy)\/([^/]+)$/, handle: deletePolicy },
  { methods: READ, pattern: /^sys\/auth$/, handle: listAuth },
  { methods: WRITE, pattern: /^sys\/auth\/(.+)$/, handle: enableAuth },
  { methods: ['DELETE'], pattern: /^sys\/auth\/(.+)$/, handle: disableAuth },
];
