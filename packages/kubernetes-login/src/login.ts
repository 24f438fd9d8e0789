import { type Logger, loginAndWriteToken, type VaultClient, withoutUserinfo } from '@vault-raft-backup/common';
import { explainLoginFailure } from './explain';
import { readServiceAccountToken, tokenFacts } from './jwt-file';

export interface LoginParams {
  /** Mount path of the Kubernetes or JWT auth method. */
  mount: string;
  role: string;
  /** The ServiceAccount token file, read now (the kubelet rotates projected tokens). */
  jwtFile: string;
  tokenFile: string;
  signal: AbortSignal;
}

/**
 * Logs in with the pod's ServiceAccount token (`POST auth/<mount>/login {role, jwt}`) and writes the
 * Vault token to `tokenFile` (atomically, 0600), as approle-login does. Neither token is ever logged.
 * @throws ConfigError when the ServiceAccount token file is missing, empty or not a JWT; VaultError
 * VAULT_LOGIN_FAILED, saying what to fix, when Vault refuses it; other VaultErrors from the client.
 */
export async function loginWithServiceAccount(client: VaultClient, params: LoginParams, log: Logger): Promise<void> {
  const jwt = await readServiceAccountToken(params.jwtFile);
  const facts = tokenFacts(jwt);
  log.info('logging in with a ServiceAccount token', { vaultAddr: withoutUserinfo(client.addr), mount: params.mount, role: params.role, jwtFile: params.jwtFile, namespace: facts.namespace, serviceAccount: facts.serviceAccount, audiences: facts.audiences, expiresAt: facts.expiresAt });
  const path = `auth/${params.mount}/login`;
  const context = { path, mount: params.mount, role: params.role, jwtFile: params.jwtFile, facts };
  await loginAndWriteToken(client, { path, body: { role: params.role, jwt }, tokenFile: params.tokenFile, signal: params.signal, explain: (err) => explainLoginFailure(err, context) }, log);
}
