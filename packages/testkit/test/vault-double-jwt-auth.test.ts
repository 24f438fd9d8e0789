import { createServiceAccountIssuer, type ServiceAccountIssuer, startVaultDouble, type VaultDouble } from '../src/index';
import { api, SNAPSHOT_POLICY } from './vault-double-helpers';

let double: VaultDouble;
let issuer: ServiceAccountIssuer;
const NS = 'vault-raft-backup';
const SA = 'vault-raft-backup';
const SUB = `system:serviceaccount:${NS}:${SA}`;

const admin = (method: string, path: string, body?: unknown) => api(double.url, method, path, { token: double.rootToken, body });
const login = (jwt: string, role = 'backup', mount = 'jwt') => api(double.url, 'POST', `auth/${mount}/login`, { body: { role, jwt } });
const now = () => Math.floor(Date.now() / 1000);

beforeAll(async () => {
  double = await startVaultDouble();
  issuer = createServiceAccountIssuer('ES256');
  double.writePolicy('snapshot', SNAPSHOT_POLICY);
  await admin('POST', 'sys/auth/jwt', { type: 'jwt' });
  await admin('POST', 'auth/jwt/config', { jwt_validation_pubkeys: [issuer.publicKeyPem] });
  await admin('POST', 'auth/jwt/role/backup', { role_type: 'jwt', bound_audiences: ['vault'], bound_subject: SUB, user_claim: 'sub', token_policies: ['snapshot'], token_ttl: '10m' });
});
afterAll(() => double.close());

describe('JWT auth login with a ServiceAccount token', () => {
  it('with the bound subject and audience, returns a token with the role policies', async () => {
    const res = await login(issuer.mint({ namespace: NS, serviceAccount: SA }));

    expect(res.status).toBe(200);
    expect(res.json.auth).toMatchObject({ token_policies: ['default', 'snapshot'], lease_duration: 600, metadata: { role: 'backup' } });
  });

  it('matches bound_claims by JSON pointer into the kubernetes.io claims', async () => {
    await admin('POST', 'auth/jwt/role/by-claims', { role_type: 'jwt', bound_audiences: 'vault', user_claim: 'sub', bound_claims: { '/kubernetes.io/namespace': NS, '/kubernetes.io/serviceaccount/name': [SA, 'other'] } });

    const ok = await login(issuer.mint({ namespace: NS, serviceAccount: SA }), 'by-claims');
    const wrong = await login(issuer.mint({ namespace: 'default', serviceAccount: SA }), 'by-claims');

    expect(ok.status).toBe(200);
    expect([wrong.status, wrong.json]).toEqual([400, { errors: ['error validating claims: claim "/kubernetes.io/namespace" does not match any associated bound claim values'] }]);
  });

  it.each([
    ['an unknown role', () => login(issuer.mint({ namespace: NS, serviceAccount: SA }), 'nope'), 'role "nope" could not be found'],
    ['no token', () => login(''), 'missing token'],
    ['another subject', () => login(issuer.mint({ namespace: 'default', serviceAccount: SA })), 'error validating token: invalid subject (sub) claim'],
    ['another audience', () => login(issuer.mint({ namespace: NS, serviceAccount: SA, audience: 'api' })), 'error validating token: invalid audience (aud) claim: audience claim does not match any expected audience'],
    ['an expired token', () => login(issuer.mint({ namespace: NS, serviceAccount: SA, issuedAt: now() - 3600 })), 'error validating token: invalid expiration time (exp) claim: token is expired'],
    ['a token without iat, nbf and exp', () => login(issuer.mint({ namespace: NS, serviceAccount: SA, omit: ['iat', 'nbf', 'exp'] })), 'error validating token: no issued at (iat), not before (nbf), or expiration time (exp) claims in token'],
    ['a token signed with another key', () => login(createServiceAccountIssuer('ES256').mint({ namespace: NS, serviceAccount: SA })), 'error validating token: error verifying token signature: no known key successfully validated the token signature'],
  ])('refuses %s with 400 and Vault\'s message', async (_what, attempt, message) => {
    const res = await attempt();

    expect([res.status, res.json]).toEqual([400, { errors: [message] }]);
  });

  it('refuses a token with an audience when the role binds none', async () => {
    await admin('POST', 'auth/jwt/role/no-audience', { role_type: 'jwt', bound_subject: SUB, user_claim: 'sub' });

    const res = await login(issuer.mint({ namespace: NS, serviceAccount: SA }), 'no-audience');

    expect([res.status, res.json]).toEqual([400, { errors: ['audience claim found in JWT but no audiences bound to the role'] }]);
  });

  it('refuses a token that lacks the user claim', async () => {
    await admin('POST', 'auth/jwt/role/user-claim', { role_type: 'jwt', bound_audiences: ['vault'], user_claim: 'email' });

    const res = await login(issuer.mint({ namespace: NS, serviceAccount: SA }), 'user-claim');

    expect([res.status, res.json]).toEqual([400, { errors: ['claim "email" not found in token'] }]);
  });

  it('without a config answers 400 could not load configuration', async () => {
    await admin('POST', 'sys/auth/jwt-empty', { type: 'jwt' });

    const res = await login(issuer.mint({ namespace: NS, serviceAccount: SA }), 'backup', 'jwt-empty');

    expect([res.status, res.json]).toEqual([400, { errors: ['could not load configuration'] }]);
  });
});

describe('JWT auth config and roles', () => {
  it('needs exactly one key source, and refuses the network ones it cannot reach', async () => {
    const none = await admin('POST', 'auth/jwt/config', {});
    const network = await admin('POST', 'auth/jwt/config', { oidc_discovery_url: 'https://kubernetes.default.svc' });

    expect([none.status, none.json]).toEqual([400, { errors: ["exactly one of 'jwt_validation_pubkeys', 'jwks_url', 'jwks_pairs' or 'oidc_discovery_url' must be set"] }]);
    expect(network.status).toBe(400);
    expect((await admin('GET', 'auth/jwt/config')).json.data.jwt_validation_pubkeys).toEqual([issuer.publicKeyPem]);
  });

  it.each([
    [{ bound_audiences: ['vault'], user_claim: 'sub' }, "'allowed_redirect_uris' must be set if 'role_type' is 'oidc' or unspecified."],
    [{ role_type: 'saml', user_claim: 'sub' }, "invalid 'role_type': saml"],
    [{ role_type: 'jwt', bound_audiences: ['vault'] }, 'a user claim must be defined on the role'],
    [{ role_type: 'jwt', user_claim: 'sub' }, 'must have at least one bound constraint when creating/updating a role'],
    [{ role_type: 'jwt', user_claim: 'sub', bound_subject: SUB, token_ttl: '2h', token_max_ttl: '1h' }, 'ttl should not be greater than max ttl'],
  ])('refuses the role %j with 400 %s', async (body, message) => {
    const res = await admin('POST', 'auth/jwt/role/invalid', body);

    expect([res.status, res.json]).toEqual([400, { errors: [message] }]);
  });

  it('reads a role back with its bindings and token settings', async () => {
    const read = await admin('GET', 'auth/jwt/role/backup');

    expect(read.json.data).toMatchObject({ role_type: 'jwt', bound_audiences: ['vault'], bound_subject: SUB, user_claim: 'sub', bound_claims_type: 'string', token_policies: ['snapshot'], token_ttl: 600, clock_skew_leeway: 60 });
  });
});
