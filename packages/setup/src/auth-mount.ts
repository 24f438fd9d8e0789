import { AppError, type Logger, type VaultClient } from '@vault-raft-backup/common';

/** An auth method the backup logs in with, and whether setup may enable it. */
export interface MountPlan {
  mount: string;
  type: 'approle' | 'kubernetes' | 'jwt';
  /** Enable the method when its path is free; otherwise a missing mount is an error. */
  enable: boolean;
  /** The variable that names the mount path, for messages. */
  variable: string;
  signal?: AbortSignal | undefined;
}

/** The first commands of the Vault side when setup may not enable the method itself. */
function enableHint(plan: MountPlan): string {
  if (plan.type === 'kubernetes') return `vault auth enable -path=${plan.mount} kubernetes, then vault write auth/${plan.mount}/config kubernetes_host=https://kubernetes.default.svc:443`;
  return `vault auth enable -path=${plan.mount} jwt, then vault write auth/${plan.mount}/config with the cluster's ServiceAccount issuer (oidc_discovery_url or jwt_validation_pubkeys)`;
}

/**
 * Makes sure `auth/<mount>` is an auth method of the planned type: unchanged when it is, enabled
 * when the path is free and `enable` is set; never reconfigured.
 * @throws AppError SETUP_CONFLICT when the path holds another method; SETUP_MOUNT_MISSING when it is free and `enable` is not set
 */
export async function ensureAuthMount(client: VaultClient, plan: MountPlan, log: Logger): Promise<void> {
  const res = await client.request<Record<string, unknown> & { data?: Record<string, { type?: string }> }>('GET', 'sys/auth', { idempotent: true, signal: plan.signal });
  const key = `${plan.mount}/`;
  const mounted = res.body?.data?.[key] ?? (res.body?.[key] as { type?: string } | undefined);
  if (mounted !== undefined && mounted.type !== plan.type) {
    throw new AppError('SETUP_CONFLICT', `auth mount ${key} exists but is of type ${String(mounted.type)}, not ${plan.type}: choose another ${plan.variable}`);
  }
  if (mounted === undefined && !plan.enable) {
    throw new AppError('SETUP_MOUNT_MISSING', `no ${plan.type} auth method at auth/${key}: enable it on the Vault side (${enableHint(plan)}), or let setup enable it with --enable-mount=true`);
  }
  const outcome = mounted === undefined ? 'created' : 'unchanged';
  if (mounted === undefined) await client.request('POST', `sys/auth/${plan.mount}`, { json: { type: plan.type, description: 'vault-raft-backup' }, signal: plan.signal });
  log.info(`auth method ${outcome}`, { item: 'auth', outcome, mount: key, type: plan.type });
}
