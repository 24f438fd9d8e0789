import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A generated CA and a server certificate it signed, as PEM files in a temp dir. */
export interface TestPki {
  dir: string;
  /** Path of the CA certificate (what VAULT_CACERT points at). */
  caCertPath: string;
  caCert: string;
  /** Server certificate and key, valid for 127.0.0.1 and localhost. */
  cert: string;
  key: string;
  /** Removes the temp dir. */
  remove(): void;
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

/**
 * Generates a throw-away CA and a server certificate for 127.0.0.1/localhost with the `openssl` CLI.
 * @throws Error when openssl is missing or fails
 */
export function createTestPki(name = 'vault-raft-backup test'): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'test-pki-'));
  try {
    const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
    openssl(['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', `/CN=${name} CA`, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], dir);
    openssl(['req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1'], dir);
    writeFileSync(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n');
    openssl(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '2', '-extfile', 'server.ext'], dir);
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const read = (f: string) => readFileSync(join(dir, f), 'utf8');
  return {
    dir,
    caCertPath: join(dir, 'ca.pem'),
    caCert: read('ca.pem'),
    cert: read('server.pem'),
    key: read('server.key'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
