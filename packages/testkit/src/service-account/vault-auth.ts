/** A Vault (or the double) reached with an admin token. */
export interface AdminVault {
  url: string;
  rootToken: string;
}

/** What {@link setUpServiceAccountAuth} writes. */
export interface ServiceAccountAuthOptions {
  /** `kubernetes` (default) or `jwt`. */
  type?: 'kubernetes' | 'jwt';
  /** Mount path; default the type's name. */
  mount?: string;
  /** PEM of the issuer's public key: `pem_keys` (kubernetes) or `jwt_validation_pubkeys` (jwt). */
  publicKeyPem: string;
  role: string;
  namespace: string;
  serviceAccount: string;
  /** Default `vault`. */
  audience?: string;
  policies: string[];
  /** Default `10m`. */
  tokenTtl?: string;
}

async function call(vault: AdminVault, method: string, path: string, body?: unknown): Promise<void> {
  const res = await fetch(`${vault.url}/v1/${path}`, { method, headers: { 'x-vault-token': vault.rootToken }, ...(body ? { body: JSON.stringify(body) } : {}) });
  if (res.status >= 300) throw new Error(`${method} ${path} answered ${res.status}: ${await res.text()}`);
  await res.arrayBuffer();
}

/**
 * Enables a Kubernetes (or JWT) auth mount through the HTTP API, configures it with the issuer's key,
 * and writes a role bound to one ServiceAccount, as an operator would with the vault CLI.
 * @throws Error naming the call Vault refused
 */
export async function setUpServiceAccountAuth(vault: AdminVault, o: ServiceAccountAuthOptions): Promise<void> {
  const type = o.type ?? 'kubernetes';
  const mount = o.mount ?? type;
  const audience = o.audience ?? 'vault';
  await call(vault, 'POST', `sys/auth/${mount}`, { type });
  if (type === 'kubernetes') {
    await call(vault, 'POST', `auth/${mount}/config`, { kubernetes_host: 'https://kubernetes.default.svc', pem_keys: [o.publicKeyPem] });
    const role = { bound_service_account_names: [o.serviceAccount], bound_service_account_namespaces: [o.namespace], audience, token_policies: o.policies, token_ttl: o.tokenTtl ?? '10m' };
    await call(vault, 'POST', `auth/${mount}/role/${o.role}`, role);
  } else {
    await call(vault, 'POST', `auth/${mount}/config`, { jwt_validation_pubkeys: [o.publicKeyPem] });
    const role = { role_type: 'jwt', bound_audiences: [audience], bound_subject: `system:serviceaccount:${o.namespace}:${o.serviceAccount}`, user_claim: 'sub', token_policies: o.policies, token_ttl: o.tokenTtl ?? '10m' };
    await call(vault, 'POST', `auth/${mount}/role/${o.role}`, role);
  }
}
