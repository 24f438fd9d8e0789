import { authorize } from './acl';
import { type Ctx, envelope, ok, parseDuration, readJson, type Reply, rfc3339, stringList } from './http-util';
import { issueToken, type TokenEntry, tokenTtlLeft } from './model';
import { READ, type Route, WRITE } from './route';

/** The `auth` block of a login or token-create response. */
export function authBlock(token: TokenEntry): Record<string, unknown> {
  return {
    client_token: token.id,
    accessor: token.accessor,
    policies: token.policies,
    token_policies: token.policies,
    metadata: token.meta,
    lease_duration: token.ttl,
    renewable: token.renewable,
    entity_id: '',
    token_type: 'service',
    orphan: true,
    mfa_requirement: null,
    num_uses: token.numUses,
  };
}

function lookupData(token: TokenEntry): Record<string, unknown> {
  return {
    accessor: token.accessor,
    creation_time: token.creationTime,
    creation_ttl: token.ttl,
    display_name: token.displayName,
    entity_id: '',
    expire_time: token.ttl === 0 ? null : rfc3339(token.creationTime + token.ttl),
    explicit_max_ttl: token.explicitMaxTtl,
    id: token.id,
    issue_time: rfc3339(token.creationTime),
    meta: token.meta,
    num_uses: token.numUses,
    orphan: true,
    path: token.path,
    policies: token.policies,
    renewable: token.renewable,
    ttl: Math.max(0, tokenTtlLeft(token)),
    type: 'service',
  };
}

async function create(ctx: Ctx): Promise<Reply> {
  authorize(ctx, 'auth/token/create', ['create', 'update', 'sudo']);
  const body = await readJson(ctx.req);
  const policies = stringList(body.policies);
  if (body.no_default_policy !== true && !policies.includes('root') && !policies.includes('default')) policies.unshift('default');
  const ttl = parseDuration(body.ttl, 'ttl');
  const model = ctx.cluster.storage.model;
  if (!model) return undefined;
  const token = issueToken(model, {
    policies: policies.length > 0 ? policies : ['root'],
    ttl,
    numUses: Number(body.num_uses ?? 0),
    displayName: typeof body.display_name === 'string' ? `token-${body.display_name}` : 'token',
    meta: (body.meta as Record<string, string> | undefined) ?? null,
    renewable: ttl > 0,
  });
  ctx.cluster.write();
  return { status: 200, body: envelope({ auth: authBlock(token) }) };
}

/** lookup-self, revoke-self, create. */
export const tokenRoutes: Route[] = [
  { methods: READ, pattern: /^auth\/token\/lookup-self$/, handle: (ctx) => ok(lookupData(authorize(ctx, 'auth/token/lookup-self', ['read']))) },
  {
    methods: WRITE,
    pattern: /^auth\/token\/revoke-self$/,
    handle: (ctx) => {
      const token = authorize(ctx, 'auth/token/revoke-self', ['update']);
      token.revoked = true;
      ctx.cluster.write();
      return { status: 204 };
    },
  },
  { methods: WRITE, pattern: /^auth\/token\/create$/, handle: create },
];
