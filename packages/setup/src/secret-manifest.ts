import type { SetupResult } from './setup';

/** JSON strings are valid YAML scalars and need no escaping rules of their own. */
const q = (s: string) => JSON.stringify(s);

/**
 * The Kubernetes Secret the backup CronJob mounts: keys `role-id` and `secret-id`
 * (the volume items of manifests/backup/base/cronjob.yaml). With a wrapped secret
 * ID the key is `secret-id-wrapping-token` instead, so that the CronJob cannot
 * start with it by mistake.
 */
export function secretManifest(result: SetupResult & { secretId: string }, name: string, namespace: string): string {
  const secretKey = result.wrapped ? 'secret-id-wrapping-token' : 'secret-id';
  return [
    'apiVersion: v1',
    'kind: Secret',
    'metadata:',
    `  name: ${q(name)}`,
    `  namespace: ${q(namespace)}`,
    '  labels:',
    '    app.kubernetes.io/name: vault-raft-backup',
    '    app.kubernetes.io/component: backup',
    'type: Opaque',
    'stringData:',
    `  role-id: ${q(result.roleId)}`,
    `  ${secretKey}: ${q(result.secretId)}`,
    '',
  ].join('\n');
}
