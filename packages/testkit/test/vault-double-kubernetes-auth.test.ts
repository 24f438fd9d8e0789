import { createServiceAccountIssuer, type ServiceAccountIssuer, startVaultDouble, type VaultDouble } from '../src/index';
import { join } from 'node:path';
import { setUpServiceAccountAuth } from '../src/service-account/index';
import { api, downloadSnapshot, SNAPSHOT_POLICY, tempDir, uploadSnapshot, waitUntil } from './vault-double-helpers';

let double: VaultDouble;
let issuer: ServiceAccountIssuer;
const NS = 'vault-raft-backup';
const SA = 'vault-raft-backup';

beforeAll(async () => {
  double = await startVaultDouble();
  issuer = createServiceAccountIssuer('RS256');
  double.writePolicy('snapshot', SNAPSHOT_POLICY);
  const admin = (method: string, path: string, body?: unknown) => api(double.url, method, path, { token: double.rootToken, body });
  await admin('POST', 'sys/auth/kubernetes', { type: 'kubernetes' });
  await admin('POST', 'auth/kubernetes/config', { kubernetes_host: 'https://kubernetes.default.svc', pem_keys: [issuer.publicKeyPem] });
  await admin('POST', 'auth/kubernetes/role/backup', { bound_service_account_names: [SA], bound_service_account_namespaces: [NS], audience: 'vault', token_policies: ['snapshot'], token_ttl: '10m' });
});
afterAll(() => double.close());

const login = (jwt: string, role = 'backup', mount = 'kubernetes') => api(double.url, 'POST', `auth/${mount}/login`, { body: { role, jwt } });
const admin = (method: string, path: string, body?: unknown) => api(double.url, method, path, { token: double.rootToken, body });

describe('Kubernetes auth login', () => {
  it('with a projected ServiceAccount token of the bound name, namespace and audience, returns a token with the role policies and the ServiceAccount metadata', async () => {
    const res = await login(issuer.mint({ namespace: NS, serviceAccount: SA }));

    expect(res.status).toBe(200);
    expect(res.json.auth).toMatchObject({ token_policies: ['default', 'snapshot'], lease_duration: 600, renewable: true, metadata: { role: 'backup', service_account_name: SA, service_account_namespace: NS } });
    const snapshot = await fetch(`${double.url}/v1/sys/storage/raft/snapshot`, { headers: { 'x-vault-token': res.json.auth.client_token } });
    expect(snapshot.status).toBe(200);
    await snapshot.arrayBuffer();
  });

  it('accepts an ES256 token when pem_keys hold the EC key', async () => {
    const ec = createServiceAccountIssuer('ES256');
    await admin('POST', 'sys/auth/k8s-ec', { type: 'kubernetes' });
    await admin('POST', 'auth/k8s-ec/config', { kubernetes_host: 'https://k', pem_keys: [ec.publicKeyPem] });
    await admin('POST', 'auth/k8s-ec/role/backup', { bound_service_account_names: [SA], bound_service_account_namespaces: [NS], audience: 'vault' });

    expect((await login(ec.mint({ namespace: NS, serviceAccount: SA }), 'backup', 'k8s-ec')).status).toBe(200);
  });

  it.each([
    ['an unknown role', () => login(issuer.mint({ namespace: NS, serviceAccount: SA }), 'nope'), 400, 'invalid role name "nope"'],
    ['no role', () => login(issuer.mint({ namespace: NS, serviceAccount: SA }), ''), 400, 'missing role'],
    ['no jwt', () => login(''), 400, 'missing jwt'],
    ['another ServiceAccount name', () => login(issuer.mint({ namespace: NS, serviceAccount: 'default' })), 403, 'service account name not authorized'],
    ['another namespace', () => login(issuer.mint({ namespace: 'default', serviceAccount: SA })), 403, 'namespace not authorized'],
    ['another audience', () => login(issuer.mint({ namespace: NS, serviceAccount: SA, audience: 'https://kubernetes.default.svc' })), 403, 'invalid audience (aud) claim: audience claim does not match any expected audience'],
    ['an expired token (past the 60 s clock skew leeway)', () => login(issuer.mint({ namespace: NS, serviceAccount: SA, issuedAt: Math.floor(Date.now() / 1000) - 3600, expiresInSeconds: 600 })), 403, 'invalid expiration time (exp) claim: token is expired'],
    ['a token not valid yet', () => login(issuer.mint({ namespace: NS, serviceAccount: SA, issuedAt: Math.floor(Date.now() / 1000) + 3600 })), 403, 'invalid not before (nbf) claim: token not yet valid'],
    ['a token signed by another cluster', () => login(createServiceAccountIssuer().mint({ namespace: NS, serviceAccount: SA })), 403, 'permission denied'],
    ['a string that is no JWT', () => login('not-a-jwt'), 403, 'permission denied'],
  ])('refuses %s with Vault\'s status and message', async (_what, attempt, status, message) => {
    const res = await attempt();

    expect(res.status).toBe(status);
    expect(res.json).toEqual({ errors: [message] });
  });

  it('checks the audience only when the role sets one, as parseAndValidateJWT does', async () => {
    await admin('POST', 'auth/kubernetes/role/any-audience', { bound_service_account_names: [SA], bound_service_account_namespaces: [NS] });

    expect((await login(issuer.mint({ namespace: NS, serviceAccount: SA, audience: 'anything' }), 'any-audience')).status).toBe(200);
  });

  it('matches bound names and namespaces as globs, and "*" as any', async () => {
    await admin('POST', 'auth/kubernetes/role/globs', { bound_service_account_names: ['vault-*'], bound_service_account_namespaces: ['*'], audience: 'vault' });

    expect((await login(issuer.mint({ namespace: 'team-a', serviceAccount: 'vault-backup' }), 'globs')).status).toBe(200);
    expect((await login(issuer.mint({ namespace: 'team-a', serviceAccount: 'other' }), 'globs')).status).toBe(403);
  });

  it('finds a role whatever the case of its name, since roles are stored lower-cased', async () => {
    expect((await login(issuer.mint({ namespace: NS, serviceAccount: SA }), 'BackUp')).status).toBe(200);
  });

  it('without a config answers 500 could not load backend configuration', async () => {
    await admin('POST', 'sys/auth/unconfigured', { type: 'kubernetes' });
    await admin('POST', 'auth/unconfigured/role/backup', { bound_service_account_names: [SA], bound_service_account_namespaces: [NS] });

    const res = await login(issuer.mint({ namespace: NS, serviceAccount: SA }), 'backup', 'unconfigured');

    expect(res.status).toBe(500);
    expect(res.json).toEqual({ errors: ['could not load backend configuration'] });
  });

  it('without pem_keys the review has nothing to ask: every login answers 403 permission denied', async () => {
    await admin('POST', 'sys/auth/no-keys', { type: 'kubernetes' });
    await admin('POST', 'auth/no-keys/config', { kubernetes_host: 'https://kubernetes.default.svc' });
    await admin('POST', 'auth/no-keys/role/backup', { bound_service_account_names: [SA], bound_service_account_namespaces: [NS], audience: 'vault' });

    const res = await login(issuer.mint({ namespace: NS, serviceAccount: SA }), 'backup', 'no-keys');

    expect(res.status).toBe(403);
    expect(res.json).toEqual({ errors: ['permission denied'] });
  });

  it('checks the issuer only when disable_iss_validation is false and an issuer is set', async () => {
    await admin('POST', 'auth/kubernetes/config', { kubernetes_host: 'https://k', pem_keys: [issuer.publicKeyPem], issuer: 'https://issuer.example', disable_iss_validation: false });
    const refused = await login(issuer.mint({ namespace: NS, serviceAccount: SA }));
    await admin('POST', 'auth/kubernetes/config', { kubernetes_host: 'https://k', pem_keys: [issuer.publicKeyPem], issuer: 'https://issuer.example' });
    const accepted = await login(issuer.mint({ namespace: NS, serviceAccount: SA }));

    expect([refused.status, refused.json.errors]).toEqual([403, ['invalid issuer (iss) claim']]);
    expect(accepted.status).toBe(200);
  });

  it('on a sealed node answers 503 Vault is sealed', async () => {
    const sealed = await startVaultDouble();
    try {
      sealed.seal();
      const res = await api(sealed.url, 'POST', 'auth/kubernetes/login', { body: { role: 'backup', jwt: 'x' } });
      expect([res.status, res.json]).toEqual([503, { errors: ['Vault is sealed'] }]);
    } finally {
      await sealed.close();
    }
  });
});

describe('Kubernetes auth config and roles', () => {
  it('refuses a config without kubernetes_host, and pem_keys that hold no key', async () => {
    const noHost = await admin('POST', 'auth/kubernetes/config', { pem_keys: [issuer.publicKeyPem] });
    const badKey = await admin('POST', 'auth/kubernetes/config', { kubernetes_host: 'https://k', pem_keys: ['not a pem'] });

    expect([noHost.status, noHost.json]).toEqual([400, { errors: ['no host provided'] }]);
    expect([badKey.status, badKey.json]).toEqual([400, { errors: ['data does not contain any valid RSA or ECDSA public keys'] }]);
  });

  it('reads the config back, and answers 404 with no errors for a mount without one', async () => {
    await admin('POST', 'auth/kubernetes/config', { kubernetes_host: 'https://kubernetes.default.svc', pem_keys: [issuer.publicKeyPem] });

    const read = await admin('GET', 'auth/kubernetes/config');
    const none = await admin('GET', 'auth/unconfigured/config');

    expect(read.json.data).toMatchObject({ kubernetes_host: 'https://kubernetes.default.svc', pem_keys: [issuer.publicKeyPem], disable_iss_validation: true, token_reviewer_jwt_set: false });
    expect([none.status, none.json]).toEqual([404, { errors: [] }]);
  });

  it('reads a role back with its bindings and token settings, and 404 once deleted', async () => {
    await admin('POST', 'auth/kubernetes/role/readback', { bound_service_account_names: 'a,b', bound_service_account_namespaces: ['ns'], audience: 'vault', token_policies: 'snapshot', token_ttl: '10m', token_max_ttl: '30m' });

    const read = await admin('GET', 'auth/kubernetes/role/readback');
    await admin('DELETE', 'auth/kubernetes/role/readback');
    const gone = await admin('GET', 'auth/kubernetes/role/readback');

    expect(read.json.data).toMatchObject({ bound_service_account_names: ['a', 'b'], bound_service_account_namespaces: ['ns'], audience: 'vault', token_policies: ['snapshot'], token_ttl: 600, token_max_ttl: 1800, alias_name_source: 'serviceaccount_uid' });
    expect(gone.status).toBe(404);
  });

  it.each([
    [{ bound_service_account_namespaces: ['ns'] }, '"bound_service_account_names" can not be empty'],
    [{ bound_service_account_names: ['sa'] }, '"bound_service_account_namespaces" can not be empty if "bound_service_account_namespace_selector" is not set'],
    [{ bound_service_account_names: ['*', 'sa'], bound_service_account_namespaces: ['ns'] }, 'can not mix "*" with values'],
    [{ bound_service_account_names: ['sa'], bound_service_account_namespaces: ['ns'], token_ttl: '2h', token_max_ttl: '1h' }, 'token ttl should not be greater than token max ttl'],
  ])('refuses the role %j with 400 %s', async (body, message) => {
    const res = await admin('POST', 'auth/kubernetes/role/invalid', body);

    expect([res.status, res.json]).toEqual([400, { errors: [message] }]);
  });

  it('warns, and still writes the role, when it has no audience', async () => {
    const res = await admin('POST', 'auth/kubernetes/role/no-audience', { bound_service_account_names: ['sa'], bound_service_account_namespaces: ['ns'] });

    expect(res.status).toBe(200);
    expect(res.json.warnings).toEqual([expect.stringContaining('Role no-audience does not have an audience configured')]);
    expect((await admin('GET', 'auth/kubernetes/role/no-audience')).status).toBe(200);
  });

  it('needs a token allowed on the path to write a role or the config', async () => {
    const res = await api(double.url, 'POST', 'auth/kubernetes/role/x', { body: { bound_service_account_names: ['sa'], bound_service_account_namespaces: ['ns'] } });

    expect([res.status, res.json]).toEqual([403, { errors: ['permission denied'] }]);
  });

  it('serves nested mount paths, and leaves AppRole mounts to the AppRole routes', async () => {
    await admin('POST', 'sys/auth/team/kubernetes', { type: 'kubernetes' });
    await admin('POST', 'auth/team/kubernetes/config', { kubernetes_host: 'https://k', pem_keys: [issuer.publicKeyPem] });
    await admin('POST', 'auth/team/kubernetes/role/backup', { bound_service_account_names: [SA], bound_service_account_namespaces: [NS], audience: 'vault' });
    const { roleId, secretId } = double.createAppRole('side-by-side', { token_policies: ['snapshot'] });

    expect((await login(issuer.mint({ namespace: NS, serviceAccount: SA }), 'backup', 'team/kubernetes')).status).toBe(200);
    expect((await api(double.url, 'POST', 'auth/approle/login', { body: { role_id: roleId, secret_id: secretId } })).status).toBe(200);
  });

  it('disabling the mount removes its config and roles', async () => {
    await admin('POST', 'sys/auth/temporary', { type: 'kubernetes' });
    await admin('POST', 'auth/temporary/config', { kubernetes_host: 'https://k', pem_keys: [issuer.publicKeyPem] });
    await admin('POST', 'auth/temporary/role/r', { bound_service_account_names: ['sa'], bound_service_account_namespaces: ['ns'], audience: 'vault' });

    await admin('DELETE', 'sys/auth/temporary');
    await admin('POST', 'sys/auth/temporary', { type: 'kubernetes' });

    expect((await admin('GET', 'auth/temporary/config')).status).toBe(404);
    expect((await admin('GET', 'auth/temporary/role/r')).status).toBe(404);
  });
});

describe('Kubernetes auth in a snapshot', () => {
  it('config and roles travel in the snapshot: restored after the mount was disabled, the same JWT logs in again', async () => {
    const source = await startVaultDouble({ restoreDelayMs: 10 });
    const tmp = await tempDir();
    try {
      source.writePolicy('snapshot', SNAPSHOT_POLICY);
      await setUpServiceAccountAuth(source, { publicKeyPem: issuer.publicKeyPem, role: 'backup', namespace: NS, serviceAccount: SA, policies: ['snapshot'] });
      const file = join(tmp.dir, 'with-kubernetes-auth.snap');
      expect((await downloadSnapshot(source.url, source.rootToken, file)).status).toBe(200);
      await api(source.url, 'DELETE', 'sys/auth/kubernetes', { token: source.rootToken });
      const jwt = issuer.mint({ namespace: NS, serviceAccount: SA });
      const before = await api(source.url, 'POST', 'auth/kubernetes/login', { body: { role: 'backup', jwt } });

      expect((await uploadSnapshot(source.url, source.rootToken, file, false)).status).toBe(204);
      await waitUntil(() => source.state().restoresApplied === 1);
      const after = await api(source.url, 'POST', 'auth/kubernetes/login', { body: { role: 'backup', jwt } });

      expect(before.status).toBe(404);
      expect(after.status).toBe(200);
    } finally {
      await source.close();
      await tmp.cleanup();
    }
  });
});
