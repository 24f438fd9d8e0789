import { authorize, openModel, requestToken } from './acl';
import { newAccessor, newToken } from './crypto';
import { type Ctx, envelope, HttpError, ok, parseDuration, readJson, type Reply, rfc3339 } from './http-util';
import { nowSeconds } from './model';
import { type Route, WRITE } from './route';

/** Answers `data`, or a wrapping token for it when the request sent `X-Vault-Wrap-TTL`. */
export function maybeWrap(ctx: Ctx, data: Record<string, unknown>, creationPath: string): Reply {
  const header = ctx.req.headers['x-vault-wrap-ttl'];
  if (typeof header !== 'string' || header === '') return ok(data);
  const ttl = parseDuration(header, 'X-Vault-Wrap-TTL');
  if (ttl === 0) throw new HttpError(400, ['invalid wrap TTL']);
  const model = openModel(ctx);
  const entry = { token: newToken(), accessor: newAccessor(), ttl, creationTime: nowSeconds(), creationPath, data };
  model.wraps.set(entry.token, entry);
  ctx.cluster.write();
  const wrapInfo = { token: entry.token, accessor: entry.accessor, ttl, creation_time: rfc3339(entry.creationTime), creation_path: creationPath, wrapped_accessor: '' };
  return { status: 200, body: envelope({ wrap_info: wrapInfo }) };
}

/** `sys/wrapping/unwrap`: the wrapping token as the request token, or `{token}` with a token allowed to unwrap. */
async function unwrap(ctx: Ctx): Promise<Reply> {
  const model = openModel(ctx);
  const body = await readJson(ctx.req);
  let wrapToken = requestToken(ctx);
  if (typeof body.token === 'string' && body.token !== '') {
    authorize(ctx, 'sys/wrapping/unwrap', ['update']);
    wrapToken = body.token;
  }
  const entry = wrapToken === undefined ? undefined : model.wraps.get(wrapToken);
  if (!entry || entry.creationTime + entry.ttl <= nowSeconds()) {
    if (body.token === undefined && entry === undefined) throw new HttpError(403, ['permission denied']);
    throw new HttpError(400, ['wrapping token is not valid or does not exist']);
  }
  model.wraps.delete(entry.token);
  ctx.cluster.write();
  return ok(entry.data);
}

/** Response-wrapping endpoints. */
export const wrappingRoutes: Route[] = [{ methods: WRITE, pattern: /^sys\/wrapping\/unwrap$/, handle: unwrap }];
