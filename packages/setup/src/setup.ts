import { AppError, type Logger, registerSecret, type VaultClient } from '@vault-raft-backup/common';
import { ensureAuthMount } from './auth-mount';
import { roleDifferences } from './role-settings';

/** The snapshot policy to write. */
export interface PolicyPlan {
  policyName: string;
  policy: string;
  signal?: AbortSignal | undefined;
}

/** A role of an auth method: `POST auth/<mount>/role/<roleName>` with `role`. */
export interface RolePlan {
  mount: string;
  roleName: string;
  role: Record<string, unknown>;
  signal?: AbortSignal | undefined;
}

/** What to write for AppRole, already resolved from the config. */
export interface SetupPlan extends PolicyPlan, RolePlan {
  newSecretId: boolean;
  /** Response-wrap the secret ID for this long (e.g. `5m`). */
  wrapTtl?: string | undefined;
}

/** The credentials for the Kubernetes Secret. */
export interface SetupResult {
  roleId: string;
  /** Absent when no new secret ID was asked for. */
  secretId?: string;
  /** True when `secretId` is a wrapping token, to be unwrapped with `vault unwrap`. */
  wrapped: boolean;
}

type Outcome = 'unchanged' | 'updated' | 'created';

interface Data<T> {
  data?: T;
}

/** Writes the snapshot policy when it differs from the plan. */
export async function ensurePolicy(client: VaultClient, plan: PolicyPlan, log: Logger): Promise<void> {
  const path = `sys/policies/acl/${plan.policyName}`;
  const res = await client.request<Data<{ policy?: string }>>('GET', path, { idempotent: true, allowStatus: [404], signal: plan.signal });
  const current = res.status === 404 ? undefined : res.body?.data?.policy;
  let outcome: Outcome = 'unchanged';
  if (current !== plan.policy) {
    await client.request('PUT', path, { json: { policy: plan.policy }, idempotent: true, signal: plan.signal });
    outcome = current === undefined ? 'created' : 'updated';
  }
  log.info(`policy ${outcome}`, { item: 'policy', outcome, policy: plan.policyName });
}

/** Writes the role when any planned setting differs (a setting Vault does not report counts as different). */
export async function ensureRole(client: VaultClient, plan: RolePlan, log: Logger): Promise<void> {
  const path = `auth/${plan.mount}/role/${plan.roleName}`;
  const res = await client.request<Data<Record<string, unknown>>>('GET', path, { idempotent: true, allowStatus: [404], signal: plan.signal });
  const current = res.status === 404 ? undefined : (res.body?.data ?? {});
  const differences = current === undefined ? Object.keys(plan.role) : roleDifferences(current, plan.role);
  let outcome: Outcome = 'unchanged';
  if (differences.length > 0) {
    await client.request('POST', path, { json: plan.role, idempotent: true, signal: plan.signal });
    outcome = current === undefined ? 'created' : 'updated';
  }
  log.info(`role ${outcome}`, { item: 'role', outcome, role: plan.roleName, ...(outcome === 'updated' ? { changed: differences } : {}) });
}

async function createSecretId(client: VaultClient, plan: SetupPlan, log: Logger): Promise<{ secretId: string; wrapped: boolean }> {
  const path = `auth/${plan.mount}/role/${plan.roleName}/secret-id`;
  const headers = plan.wrapTtl ? { 'X-Vault-Wrap-TTL': plan.wrapTtl } : undefined;
  const res = await client.request<Data<{ secret_id?: string; secret_id_accessor?: string }> & { wrap_info?: { token?: string; ttl?: number } }>('POST', path, {
    json: {},
    signal: plan.signal,
    ...(headers ? { headers } : {}),
  });
  const secretId = plan.wrapTtl ? res.body?.wrap_info?.token : res.body?.data?.secret_id;
  if (!secretId) throw new AppError('VAULT_HTTP', `Vault returned no ${plan.wrapTtl ? 'wrapping token' : 'secret ID'}: POST /v1/${path}`);
  registerSecret(secretId);
  log.info('secret ID created', { item: 'secret-id', outcome: 'created', wrapped: Boolean(plan.wrapTtl), ...(plan.wrapTtl ? { wrapTtl: plan.wrapTtl } : { accessor: res.body?.data?.secret_id_accessor }) });
  return { secretId, wrapped: Boolean(plan.wrapTtl) };
}

/**
 * Brings Vault to the plan, writing only what differs (policy, AppRole mount,
 * role), then reads the role ID and, when asked, creates a secret ID.
 * @throws VaultError when a call fails; AppError SETUP_CONFLICT when the mount path holds another auth method.
 */
export async function runSetup(client: VaultClient, plan: SetupPlan, log: Logger): Promise<SetupResult> {
  await ensurePolicy(client, plan, log);
  await ensureAuthMount(client, { mount: plan.mount, type: 'approle', enable: true, variable: 'SETUP_APPROLE_MOUNT', signal: plan.signal }, log);
  await ensureRole(client, plan, log);
  const res = await client.request<Data<{ role_id?: string }>>('GET', `auth/${plan.mount}/role/${plan.roleName}/role-id`, { idempotent: true, signal: plan.signal });
  const roleId = res.body?.data?.role_id;
  if (!roleId) throw new AppError('VAULT_HTTP', `Vault returned no role ID: GET /v1/auth/${plan.mount}/role/${plan.roleName}/role-id`);
  if (!plan.newSecretId) {
    log.info('no new secret ID requested', { item: 'secret-id', outcome: 'unchanged' });
    return { roleId, wrapped: false };
  }
  return { roleId, ...(await createSecretId(client, plan, log)) };
}
