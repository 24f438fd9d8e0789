import { authorize, openModel } from './acl';
import { type Ctx, HttpError, ok, readJson, type Reply } from './http-util';
import { READ, type Route, WRITE } from './route';

const KV_TTL = 2764800;

function readOrList(ctx: Ctx, match: RegExpExecArray): Reply {
  const key = match[1] ?? '';
  const model = openModel(ctx);
  if (ctx.query.get('list') === 'true') {
    authorize(ctx, ctx.path, ['list']);
    const prefix = key === '' ? '' : `${key}/`;
    const keys = new Set<string>();
    for (const k of model.kv.keys()) {
      if (!k.startsWith(prefix)) continue;
      const rest = k.slice(prefix.length);
      const slash = rest.indexOf('/');
      keys.add(slash < 0 ? rest : rest.slice(0, slash + 1));
    }
    if (keys.size === 0) throw new HttpError(404, []);
    return ok({ keys: [...keys].sort() });
  }
  authorize(ctx, ctx.path, ['read']);
  const data = model.kv.get(key);
  if (!data) throw new HttpError(404, []);
  return ok(data, { lease_duration: KV_TTL });
}

async function write(ctx: Ctx, match: RegExpExecArray): Promise<Reply> {
  const key = match[1] ?? '';
  const model = openModel(ctx);
  authorize(ctx, ctx.path, model.kv.has(key) ? ['update'] : ['create']);
  const body = await readJson(ctx.req);
  if (Object.keys(body).length === 0) throw new HttpError(400, ['missing data fields']);
  model.kv.set(key, body);
  ctx.cluster.write();
  return { status: 204 };
}

/** KV version 1 at `secret/`. */
export const kvRoutes: Route[] = [
  { methods: READ, pattern: /^secret\/?(.*)$/, handle: readOrList },
  { methods: WRITE, pattern: /^secret\/(.+)$/, handle: write },
  {
    methods: ['DELETE'],
    pattern: /^secret\/(.+)$/,
    handle: (ctx, m) => {
      const model = openModel(ctx);
      authorize(ctx, ctx.path, ['delete']);
      model.kv.delete(m[1] ?? '');
      ctx.cluster.write();
      return { status: 204 };
    },
  },
];
