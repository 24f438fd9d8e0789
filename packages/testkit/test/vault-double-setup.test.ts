import { startVaultDouble, type VaultDouble } from '../src/index';
import { api } from './vault-double-helpers';

let double: VaultDouble;
let root: string;

beforeAll(async () => {
  double = await startVaultDouble({ initialized: true });
  root = double.rootToken;
});
afterAll(async () => {
  await double.close();
});

describe('ACL policies', () => {
  it('writes, reads (both paths) and deletes a policy', async () => {
    const policy = 'path "sys/storage/raft/snapshot" {\n  capabilities = ["read"]\n}\n';
    expect((await api(double.url, 'PUT', 'sys/policies/acl/backup', { token: root, body: { policy } })).status).toBe(204);
    const read = await api(double.url, 'GET', 'sys/policies/acl/backup', { token: root });
    expect(read.json.data).toEqual({ name: 'backup', policy });
    expect((await api(double.url, 'GET', 'sys/policy/backup', { token: root })).json.data).toEqual({ name: 'backup', rules: policy });
    expect((await api(double.url, 'DELETE', 'sys/policies/acl/backup', { token: root })).status).toBe(204);
    const gone = await api(double.url, 'GET', 'sys/policies/acl/backup', { token: root });
    expect(gone.status).toBe(404);
    expect(gone.json).toEqual({ errors: [] });
  });

  it('answers 400 for an empty policy and 403 without a token', async () => {
    expect((await api(double.url, 'PUT', 'sys/policies/acl/x', { token: root, body: { policy: '' } })).status).toBe(400);
    expect((await api(double.url, 'PUT', 'sys/policies/acl/x', { body: { policy: 'path "a" { capabilities = ["read"] }' } })).status).toBe(403);
  });

  it('grants by glob and lets exact paths win', async () => {
    const policy = 'path "secret/*" { capabilities = ["read"] }\npath "secret/private" { capabilities = ["deny"] }';
    await api(double.url, 'PUT', 'sys/policies/acl/reader', { token: root, body: { policy } });
    double.putSecret('public', { a: 1 });
    double.putSecret('private', { b: 2 });
    const token = await api(double.url, 'POST', 'auth/token/create', { token: root, body: { policies: ['reader'], ttl: '1h' } });
    const t = token.json.auth.client_token as string;
    expect(token.json.auth.policies).toEqual(['default', 'reader']);
    expect((await api(double.url, 'GET', 'secret/public', { token: t })).json.data).toEqual({ a: 1 });
    expect((await api(double.url, 'GET', 'secret/private', { token: t })).status).toBe(403);
  });
});

describe('auth methods', () => {
  it('lists token/ by default, enables approle, and refuses a second mount at the same path', async () => {
    const before = await api(double.url, 'GET', 'sys/auth', { token: root });
    expect(Object.keys(before.json.data)).toEqual(['token/']);
    expect((await api(double.url, 'POST', 'sys/auth/approle', { token: root, body: { type: 'approle' } })).status).toBe(204);
    const after = await api(double.url, 'GET', 'sys/auth', { token: root });
    expect(after.json.data['approle/']).toMatchObject({ type: 'approle' });
    const again = await api(double.url, 'POST', 'sys/auth/approle', { token: root, body: { type: 'approle' } });
    expect(again.status).toBe(400);
    expect(again.json).toEqual({ errors: ['path is already in use at approle/'] });
  });

  it('answers 404 for login on a mount that is not enabled', async () => {
    const res = await api(double.url, 'POST', 'auth/nothing/login', { body: { role_id: 'a', secret_id: 'b' } });
    expect(res.status).toBe(404);
  });
});

describe('AppRole role API', () => {
  beforeAll(async () => {
    await api(double.url, 'POST', 'sys/auth/custom-approle', { token: root, body: { type: 'approle' } });
  });

  it('creates a role, reads it back, gives its role ID and a secret ID that logs in on the custom mount', async () => {
    const role = { token_ttl: '10m', token_max_ttl: '30m', token_policies: ['backup'], secret_id_ttl: '1h', secret_id_num_uses: 1, token_bound_cidrs: ['127.0.0.1/32'] };
    expect((await api(double.url, 'POST', 'auth/custom-approle/role/taker', { token: root, body: role })).status).toBe(204);
    const read = await api(double.url, 'GET', 'auth/custom-approle/role/taker', { token: root });
    expect(read.json.data).toMatchObject({ token_ttl: 600, token_max_ttl: 1800, token_policies: ['backup'], secret_id_ttl: 3600, secret_id_num_uses: 1, bind_secret_id: true, token_bound_cidrs: ['127.0.0.1/32'] });
    const roleId = (await api(double.url, 'GET', 'auth/custom-approle/role/taker/role-id', { token: root })).json.data.role_id;
    const secret = await api(double.url, 'POST', 'auth/custom-approle/role/taker/secret-id', { token: root, body: {} });
    expect(secret.json.data).toMatchObject({ secret_id_ttl: 3600, secret_id_num_uses: 1 });
    const login = await api(double.url, 'POST', 'auth/custom-approle/login', { body: { role_id: roleId, secret_id: secret.json.data.secret_id } });
    expect(login.status).toBe(200);
    expect(login.json.auth).toMatchObject({ lease_duration: 600, token_policies: ['default', 'backup'] });
    const reuse = await api(double.url, 'POST', 'auth/custom-approle/login', { body: { role_id: roleId, secret_id: secret.json.data.secret_id } });
    expect(reuse.json).toEqual({ errors: ['invalid role or secret ID'] });
  });

  it('deletes a role, after which reads answer 404', async () => {
    await api(double.url, 'POST', 'auth/custom-approle/role/temp', { token: root, body: { token_policies: ['x'] } });
    expect((await api(double.url, 'DELETE', 'auth/custom-approle/role/temp', { token: root })).status).toBe(204);
    expect((await api(double.url, 'GET', 'auth/custom-approle/role/temp', { token: root })).status).toBe(404);
  });

  it('refuses a token_ttl above token_max_ttl with 400', async () => {
    const res = await api(double.url, 'POST', 'auth/custom-approle/role/bad', { token: root, body: { token_ttl: '2h', token_max_ttl: '1h' } });
    expect(res.status).toBe(400);
  });
});

describe('response wrapping', () => {
  it('wraps a secret ID with X-Vault-Wrap-TTL and unwraps it once with the wrapping token', async () => {
    const { roleId } = double.createAppRole('wrapped', { token_policies: ['backup'] });
    const wrapped = await api(double.url, 'POST', 'auth/approle/role/wrapped/secret-id', { token: root, body: {}, headers: { 'X-Vault-Wrap-TTL': '120s' } });
    expect(wrapped.json.data).toBeNull();
    expect(wrapped.json.wrap_info).toMatchObject({ ttl: 120, creation_path: 'auth/approle/role/wrapped/secret-id' });
    expect(typeof wrapped.json.wrap_info.creation_time).toBe('string');
    const wrapToken = wrapped.json.wrap_info.token as string;
    const unwrapped = await api(double.url, 'POST', 'sys/wrapping/unwrap', { token: wrapToken });
    expect(unwrapped.status).toBe(200);
    const login = await api(double.url, 'POST', 'auth/approle/login', { body: { role_id: roleId, secret_id: unwrapped.json.data.secret_id } });
    expect(login.status).toBe(200);
    const twice = await api(double.url, 'POST', 'sys/wrapping/unwrap', { token: root, body: { token: wrapToken } });
    expect(twice.status).toBe(400);
    expect(twice.json).toEqual({ errors: ['wrapping token is not valid or does not exist'] });
  });
});

describe('KV v1 at secret/', () => {
  it('stores a JSON body, reads it as data, lists keys and answers 404 when missing', async () => {
    expect((await api(double.url, 'PUT', 'secret/team/db', { token: root, body: { user: 'u', pass: 'p' } })).status).toBe(204);
    const read = await api(double.url, 'GET', 'secret/team/db', { token: root });
    expect(read.json).toMatchObject({ data: { user: 'u', pass: 'p' }, lease_id: '', renewable: false, wrap_info: null, auth: null });
    expect(read.json.request_id).toEqual(expect.any(String));
    expect((await api(double.url, 'GET', 'secret/team?list=true', { token: root })).json.data).toEqual({ keys: ['db'] });
    expect(double.getSecret('team/db')).toEqual({ user: 'u', pass: 'p' });
    const missing = await api(double.url, 'GET', 'secret/none', { token: root });
    expect(missing.status).toBe(404);
    expect(missing.json).toEqual({ errors: [] });
  });
});

describe('unknown routes and the seal endpoint', () => {
  it('answers 404 with a JSON error for an unknown path', async () => {
    const res = await api(double.url, 'GET', 'sys/nothing-here', { token: root });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toBe('application/json');
  });

  it('seals the node with PUT sys/seal and a root token', async () => {
    const other = await startVaultDouble({ secretShares: 1, secretThreshold: 1 });
    try {
      expect((await api(other.url, 'PUT', 'sys/seal', { token: other.rootToken })).status).toBe(204);
      expect(other.state().sealed).toEqual([true]);
    } finally {
      await other.close();
    }
  });
});
