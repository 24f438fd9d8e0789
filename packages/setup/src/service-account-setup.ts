import type { Logger, VaultClient } from '@vault-raft-backup/common';
import { ensureAuthMount } from './auth-mount';
import { ensurePolicy, ensureRole, type PolicyPlan, type RolePlan } from './setup';

/** What to write for Kubernetes or JWT auth, already resolved from the config. */
export interface ServiceAccountPlan extends PolicyPlan, RolePlan {
  type: 'kubernetes' | 'jwt';
  /** Enable the method when its mount path is free (SETUP_ENABLE_MOUNT). */
  enableMount: boolean;
}

/** The Vault-side steps left when the mount cannot verify ServiceAccount tokens yet. */
function missingConfig(plan: ServiceAccountPlan, config: Record<string, unknown> | undefined): string | undefined {
  const at = `auth/${plan.mount}/config`;
  if (plan.type === 'kubernetes') {
    if (typeof config?.kubernetes_host === 'string' && config.kubernetes_host !== '') return undefined;
    return `vault write ${at} kubernetes_host=https://kubernetes.default.svc:443 (Vault in the cluster uses its own ServiceAccount and CA for the TokenReview; that ServiceAccount needs system:auth-delegator, which the Vault Helm chart grants; from outside the cluster also set kubernetes_ca_cert and token_reviewer_jwt)`;
  }
  const keys = ['jwt_validation_pubkeys', 'jwks_url', 'oidc_discovery_url', 'jwks_pairs'].some((k) => {
    const v = config?.[k];
    return Array.isArray(v) ? v.length > 0 : typeof v === 'string' && v !== '';
  });
  if (keys) return undefined;
  return `vault write ${at} oidc_discovery_url=<the cluster's ServiceAccount issuer, e.g. https://kubernetes.default.svc.cluster.local> oidc_discovery_ca_pem=@ca.crt (or jwt_validation_pubkeys=@<issuer public key>.pem)`;
}

/** Reads the mount's config and says what the Vault side still needs; never writes it. */
async function checkMountConfig(client: VaultClient, plan: ServiceAccountPlan, log: Logger): Promise<void> {
  const res = await client.request<{ data?: Record<string, unknown> }>('GET', `auth/${plan.mount}/config`, { idempotent: true, allowStatus: [404], signal: plan.signal });
  const todo = missingConfig(plan, res.status === 404 ? undefined : res.body?.data);
  if (todo === undefined) {
    log.info('auth method config present', { item: 'config', outcome: 'unchanged', mount: `${plan.mount}/` });
    return;
  }
  log.warn(`auth/${plan.mount} cannot verify ServiceAccount tokens yet; on the Vault side run: ${todo}`, { item: 'config', outcome: 'missing', mount: `${plan.mount}/` });
}

/**
 * Brings Vault to the plan for a backup that logs in with its ServiceAccount token: the snapshot
 * policy, the auth method (enabled only when allowed), and a role bound to the backup's
 * ServiceAccount, namespace and audience; writes only what differs. The mount's config is only
 * read: what it still lacks is logged as the next Vault-side step.
 * @throws VaultError when a call fails; AppError SETUP_CONFLICT or SETUP_MOUNT_MISSING for the mount
 */
export async function runServiceAccountSetup(client: VaultClient, plan: ServiceAccountPlan, log: Logger): Promise<void> {
  await ensurePolicy(client, plan, log);
  await ensureAuthMount(client, { mount: plan.mount, type: plan.type, enable: plan.enableMount, variable: 'SETUP_AUTH_MOUNT', signal: plan.signal }, log);
  await ensureRole(client, plan, log);
  await checkMountConfig(client, plan, log);
}
