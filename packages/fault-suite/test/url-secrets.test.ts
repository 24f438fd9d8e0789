import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { VaultDouble } from '@vault-raft-backup/testkit';
import { run } from './support/bundles';
import { removeWorkDirs, workDir } from './support/files';
import { keepSecret, withFault } from './support/ledger';
import { itLeaksNoSecret } from './support/scan-test';
import { freePort, previousBackup } from './support/snapshots';
import { backupRole, backupVault, lookupStatus } from './support/vault';

let d: VaultDouble;
beforeAll(async () => {
  d = await backupVault();
});
afterAll(async () => {
  await d?.close();
  removeWorkDirs();
});

/** A password for the userinfo of a URL, recorded for the suite-wide scan. */
function urlPassword(label: string): string {
  const pw = `${label}-url-pw-${process.pid}-${Date.now()}`;
  keepSecret('URL password', pw);
  return pw;
}

/** `http://user:password@127.0.0.1:port` for a plain `http://127.0.0.1:port`. */
const withUserinfo = (url: string, user: string, password: string) => url.replace('://', `://${user}:${password}@`);

describe('URLs that carry a password', () => {
  it('SEC-URL-USERINFO backup: VAULT_ADDR=http://user:password@vault: approle-login and snapshot-taker work and print neither the password nor the userinfo', () =>
    withFault(
      { id: 'SEC-URL-USERINFO backup', area: 'Security', fault: 'password in VAULT_ADDR', injection: 'approle-login then snapshot-taker with VAULT_ADDR=http://backup:<password>@<double> (Vault ignores Basic auth, as the double does)', expected: 'both exit 0, token revoked; no log line holds the password or any scheme://user:password@' },
      async (f) => {
        const password = urlPassword('backup');
        const addr = withUserinfo(d.url, 'backup', password);
        const role = backupRole(d, 'userinfo');
        const dir = workDir('userinfo');
        const tokenFile = join(dir, 'token');
        f.inject(2);
        const login = await run('approle-login', { VAULT_ADDR: addr, VAULT_ROLE_ID: role.roleId, VAULT_SECRET_ID: role.secretId, VAULT_TOKEN_FILE: tokenFile });
        expect(login.code).toBe(0);
        const token = readFileSync(tokenFile, 'utf8');
        keepSecret('vault token', token, tokenFile);
        const taken = await run('snapshot-taker', { VAULT_ADDR: addr, VAULT_TOKEN_FILE: tokenFile, SNAPSHOT_FILE: join(dir, 'vault.snap') });
        expect(taken.code).toBe(0);
        expect(taken.lines.find((l) => l.msg === 'requesting raft snapshot')?.vaultAddr).toBe(d.url);
        f.intact('token revoked after use', (await lookupStatus(d, token)) === 403);
        for (const r of [login, taken]) f.intact('no password in the output', !`${r.stdout}${r.stderr}`.includes(password));
      },
    ));

  it('SEC-URL-USERINFO restore: passwords in VAULT_ADDR and RESTORE_PEER_ADDRS of restore-runner stay out of its log lines while it waits and fails', () =>
    withFault(
      { id: 'SEC-URL-USERINFO restore', area: 'Security', fault: 'passwords in VAULT_ADDR and RESTORE_PEER_ADDRS', injection: 'restore-runner with http://admin:<pw>@<closed port> as VAULT_ADDR and a peer with userinfo; RESTORE_WAIT_TIMEOUT=2s', expected: 'exit 1 VAULT_TIMEOUT naming the address without userinfo; neither password in any output' },
      async (f) => {
        const vaultPw = urlPassword('restore');
        const peerPw = urlPassword('peer');
        const closed = `http://127.0.0.1:${await freePort()}`;
        const dir = workDir('userinfo-restore');
        const prev = previousBackup(dir);
        f.inject(2);
        const result = await run('restore-runner', {
          VAULT_ADDR: withUserinfo(closed, 'admin', vaultPw),
          RESTORE_PEER_ADDRS: withUserinfo('http://127.0.0.1:1', 'peer', peerPw),
          SNAPSHOT_FILE: prev.file,
          HOSTNAME: 'vault-0',
          RESTORE_WAIT_TIMEOUT: '2s',
          RESTORE_EXIT_WHEN_DONE: 'true',
          VAULT_MAX_RETRIES: '0',
        });
        expect({ code: result.code, error: result.lines.at(-1)?.code }).toEqual({ code: 1, error: 'VAULT_TIMEOUT' });
        expect(String(result.lines.at(-1)?.msg)).toContain(`Vault at ${closed} did not answer`);
        for (const pw of [vaultPw, peerPw]) f.intact('no password in the output', !`${result.stdout}${result.stderr}`.includes(pw));
      },
    ));
});

describe('secrets', () => {
  itLeaksNoSecret();
});
