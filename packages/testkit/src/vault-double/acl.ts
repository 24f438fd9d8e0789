import { type Ctx, HttpError, inCidr } from './http-util';
import { liveToken, type Model, type TokenEntry } from './model';
import { capabilitiesFor, DEFAULT_POLICY, type PathRule, parsePolicy } from './policy';

/** The request's token from `X-Vault-Token` or `Authorization: Bearer`. */
export function requestToken(ctx: Ctx): string | undefined {
  const header = ctx.req.headers['x-vault-token'];
  if (typeof header === 'string' && header !== '') return header;
  const auth = ctx.req.headers.authorization;
  return auth?.startsWith('Bearer ') ? auth.slice(7) : undefined;
}

/** The open storage of an unsealed node. @throws HttpError 503 when this node is sealed. */
export function openModel(ctx: Ctx): Model {
  if (ctx.node.sealed || !ctx.cluster.storage.model) throw new HttpError(503, ['Vault is sealed']);
  return ctx.cluster.storage.model;
}

function rulesOf(model: Model, policies: string[]): PathRule[][] {
  return policies.map((name) => {
    const text = name === 'default' ? (model.policies.get('default') ?? DEFAULT_POLICY) : model.policies.get(name);
    try {
      return text ? parsePolicy(text) : [];
    } catch {
      return [];
    }
  });
}

/** Whether a token holds one of `caps` on `path`. */
export function tokenCan(model: Model, token: TokenEntry, path: string, caps: string[]): boolean {
  if (token.policies.includes('root')) return true;
  const granted = capabilitiesFor(rulesOf(model, token.policies), path);
  return caps.some((c) => granted.has(c));
}

/** Checks the token and one of `caps` on `path`, using up one token use. @throws HttpError 503 sealed, 403 permission denied. */
export function authorize(ctx: Ctx, path: string, caps: string[]): TokenEntry {
  const model = openModel(ctx);
  const id = requestToken(ctx);
  const token = id === undefined ? undefined : liveToken(model, id);
  if (!token) throw new HttpError(403, ['permission denied']);
  if (token.boundCidrs.length > 0 && !token.boundCidrs.some((c) => inCidr(ctx.remoteIp, c))) throw new HttpError(403, ['permission denied']);
  if (!tokenCan(model, token, path, caps)) throw new HttpError(403, ['permission denied']);
  if (token.numUses > 0) {
    token.numUses -= 1;
    if (token.numUses === 0) token.revoked = true;
  }
  return token;
}
