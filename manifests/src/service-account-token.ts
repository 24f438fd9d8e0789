import { DEFAULT_JWT_FILE } from '@vault-raft-backup/kubernetes-login/src/config';
import { allContainers, envValue, mountFor, type PodUnderTest } from './pod';

/** The longest lifetime accepted for the token Vault sees (the Kubernetes default is an hour; 600 s is the shortest). */
export const MAX_TOKEN_SECONDS = 3600;

/**
 * Checks the ServiceAccount token kubernetes-login reads: a projected serviceAccountToken (the kubelet
 * renews it), bound to an audience (a token for Vault only, not one the API server and anyone it is
 * shown to would accept), short-lived, and not the default automounted path the backup pod turns off.
 * Whether the file is on a mounted, read-only volume is env-check's job.
 */
export function checkServiceAccountToken(pod: PodUnderTest): string[] {
  const problems: string[] = [];
  for (const c of allContainers(pod).filter((x) => x.name === 'kubernetes-login')) {
    const at = `${pod.where} container ${c.name}`;
    const file = envValue(c, 'VAULT_JWT_FILE');
    if (file === undefined) {
      problems.push(`${at}: VAULT_JWT_FILE is unset, so it reads ${DEFAULT_JWT_FILE}, which exists only with automountServiceAccountToken (off in the backup pod): mount a projected serviceAccountToken volume and point VAULT_JWT_FILE at it`);
      continue;
    }
    const mount = mountFor(c, file);
    const volume = mount && pod.volumes.find((v) => v.name === mount.name);
    if (!mount || !volume) continue;
    const rel = file.slice(mount.mountPath.replace(/\/+$/, '').length + 1);
    const token = volume.projected?.sources?.find((s) => s.serviceAccountToken?.path === rel)?.serviceAccountToken;
    if (!token) {
      problems.push(`${at}: VAULT_JWT_FILE=${file} is not a projected serviceAccountToken (volume ${volume.name}): use one, so the kubelet renews it and binds it to an audience`);
      continue;
    }
    if (!token.audience) problems.push(`${at}: the projected token of volume ${volume.name} has no audience: set the Vault role's audience (e.g. vault), or it is an API-server token anyone it is shown to could replay`);
    if (token.expirationSeconds === undefined) problems.push(`${at}: the projected token of volume ${volume.name} has no expirationSeconds: set a short one (600)`);
    else if (token.expirationSeconds > MAX_TOKEN_SECONDS) problems.push(`${at}: the projected token of volume ${volume.name} lives ${token.expirationSeconds} s: keep it at most ${MAX_TOKEN_SECONDS} s`);
  }
  return problems;
}
