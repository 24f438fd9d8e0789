import jwtRole from '../../../manifests/vault/jwt-role.json';
import kubernetesRole from '../../../manifests/vault/kubernetes-role.json';
import type { Config } from './config';
import { seconds } from './role-settings';

/** The mount path of the kubernetes or jwt method: SETUP_AUTH_MOUNT, else the method's name. */
export function serviceAccountMount(config: Config): string {
  return config.SETUP_AUTH_MOUNT ?? config.SETUP_AUTH;
}

function cidrs(config: Config): string[] {
  return (config.SETUP_BOUND_CIDRS ?? '')
    .split(',')
    .map((c) => c.trim())
    .filter((c) => c !== '');
}

/**
 * The body of `POST auth/<mount>/role/<name>` for the backup's ServiceAccount: manifests/vault/
 * kubernetes-role.json (or jwt-role.json) bound to that one ServiceAccount, namespace and audience,
 * with the snapshot policy and a short token TTL.
 */
export function desiredServiceAccountRole(config: Config): Record<string, unknown> {
  const token = {
    token_policies: [config.SETUP_POLICY_NAME],
    token_ttl: seconds(config.SETUP_TOKEN_TTL),
    token_max_ttl: seconds(config.SETUP_TOKEN_MAX_TTL),
    token_bound_cidrs: cidrs(config),
  };
  if (config.SETUP_AUTH === 'jwt') {
    // A ServiceAccount token's sub is system:serviceaccount:<namespace>:<name> (Kubernetes pkg/serviceaccount)
    return { ...jwtRole, bound_audiences: [config.SETUP_AUDIENCE], bound_subject: `system:serviceaccount:${config.SETUP_NAMESPACE}:${config.SETUP_SERVICE_ACCOUNT}`, ...token };
  }
  return { ...kubernetesRole, bound_service_account_names: [config.SETUP_SERVICE_ACCOUNT], bound_service_account_namespaces: [config.SETUP_NAMESPACE], audience: config.SETUP_AUDIENCE, ...token };
}
