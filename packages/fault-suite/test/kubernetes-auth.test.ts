import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServiceAccountIssuer, type ServiceAccountTokenOptions, setUpServiceAccountAuth, type VaultDouble } from '@vault-raft-backup/testkit';
import { lastMsg, run } from './support/bundles';
import { removeWorkDirs, tree, workDir } from './support/files';
import { keepSecret, withFault } from './support/ledger';
import { itLeaksNoSecret } from './support/scan-test';
import { backupVault, lookupStatus } from './support/vault';

const NS = 'vault-raft-backup';
const SA = 'vault-raft-backup';
const issuer = createServiceAccountIssuer();
let d: VaultDouble;

beforeAll(async () => {
  d = await backupVault();
  await setUpServiceAccountAuth(d, { publicKeyPem: issuer.publicKeyPem, role: 'backup', namespace: NS, serviceAccount: SA, policies: ['snapshot'] });
});
afterAll(async () => {
  await d.close();
  removeWorkDirs();
});

/** A minted ServiceAccount token in its own file, recorded as a secret that may live only there. */
function projectedToken(dir: string, claims: Partial<ServiceAccountTokenOptions> = {}, signer = issuer): { jwt: string; file: string } {
  const jwt = signer.mint({ namespace: NS, serviceAccount: SA, ...claims });
  const file = join(dir, 'sa-token');
  writeFileSync(file, jwt);
  keepSecret('ServiceAccount token', jwt, file);
  return { jwt, file };
}

const login = (dir: string, jwtFile: string, extra: Record<string, string> = {}) =>
  run('kubernetes-login', { VAULT_ADDR: d.url, VAULT_AUTH_ROLE: 'backup', VAULT_JWT_FILE: jwtFile, VAULT_TOKEN_FILE: join(dir, 'token'), VAULT_MAX_RETRIES: '0', ...extra });

describe('Kubernetes auth', () => {
  it('SEC-K8S-LOGIN: kubernetes-login then snapshot-taker with the shipped policy; the JWT stays in its file, the token in the token file, and the token is revoked', () =>
    withFault(
      { id: 'SEC-K8S-LOGIN', area: 'Security', fault: 'secrets of a ServiceAccount login', injection: 'a projected-token file, kubernetes-login then snapshot-taker, both outputs kept for the secret scan', expected: 'both exit 0; token file 0600; token revoked after the snapshot; neither JWT nor token in any output or other file' },
      async (f) => {
        const dir = workDir('k8s-login');
        const { file } = projectedToken(dir);
        const result = await login(dir, file);
        expect(result.code).toBe(0);
        const token = readFileSync(join(dir, 'token'), 'utf8');
        keepSecret('vault token', token, join(dir, 'token'));
        f.inject();
        const take = await run('snapshot-taker', { VAULT_ADDR: d.url, VAULT_TOKEN_FILE: join(dir, 'token'), SNAPSHOT_FILE: join(dir, 'vault.snap') });
        expect(take.code).toBe(0);
        expect(await lookupStatus(d, token)).toBe(403);
      },
    ));

  it.each([
    ['name', { serviceAccount: 'default' }, 'service account name not authorized'],
    ['namespace', { namespace: 'default' }, 'namespace not authorized'],
    ['audience', { audience: 'https://kubernetes.default.svc' }, 'invalid audience (aud) claim'],
    ['expiry', { issuedAt: Math.floor(Date.now() / 1000) - 7200 }, 'token is expired'],
  ] as const)('V-K8S-MISMATCH %s: a refused ServiceAccount token exits 1 with Vault\'s message and what to fix, and writes no token', (what, claims, vaultSays) =>
    withFault(
      { id: `V-K8S-MISMATCH ${what}`, area: 'Vault', fault: `ServiceAccount token with the wrong ${what}`, injection: `a token minted with another ${what} than the role binds`, expected: 'exit 1, VAULT_LOGIN_FAILED with Vault\'s message and the side to fix, no token file, the JWT in no output' },
      async (f) => {
        const dir = workDir(`k8s-${what}`);
        const { file } = projectedToken(dir, claims);
        f.inject();
        const result = await login(dir, file);
        expect(result.code).toBe(1);
        expect(result.lines.at(-1)).toMatchObject({ code: 'VAULT_LOGIN_FAILED' });
        expect(lastMsg(result)).toContain(vaultSays);
        expect(lastMsg(result)).toMatch(/; fix on (the Vault side|the pod|either side): /);
        f.intact('no token file', tree(dir).every((n) => n === 'sa-token'));
      },
    ));

  it('I-JWT-FILE: a missing ServiceAccount token exits 2 naming the path and the cause, before any request', () =>
    withFault(
      { id: 'I-JWT-FILE', area: 'Bad input', fault: 'no ServiceAccount token mounted', injection: 'VAULT_JWT_FILE names a file that does not exist (automount off, projected volume missing)', expected: 'exit 2, CONFIG_INVALID naming the path and the likely cause, no request to Vault, no token file' },
      async (f) => {
        const dir = workDir('k8s-no-jwt');
        const before = d.requests.length;
        f.inject();
        const result = await login(dir, join(dir, 'serviceaccount', 'token'));
        expect(result.code).toBe(2);
        expect(lastMsg(result)).toMatch(/VAULT_JWT_FILE: cannot read .*serviceaccount\/token \(ENOENT\): the pod has no ServiceAccount token there/);
        expect(d.requests.slice(before)).toEqual([]);
        f.intact('no token file', tree(dir).length === 0);
      },
    ));
});

describe('secrets', () => {
  itLeaksNoSecret();
});
