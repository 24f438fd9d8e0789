import { checkBackupObjects } from './check-backup';
import { allContainers, type ContainerLike, envValue, podsOf, type PodUnderTest } from './pod';
import { parseImage } from './render';
import { isRecord, type K8sObject } from './yaml-io';

const LOOPBACK = /^https?:\/\/(127\.0\.0\.1|localhost|\[::1\]):\d+$/;

/** The drill's pod: fetcher, then the Vault native sidecar, then the runner that ends the Job. */
function checkDrillPod(pod: PodUnderTest): string[] {
  const at = pod.where;
  const problems: string[] = [];
  const names = pod.initContainers.map((c) => c.name);
  if (names[0] !== 'restore-fetcher' || names[1] !== 'vault') problems.push(`${at}: init containers must be restore-fetcher, then vault (got ${names.join(', ')})`);
  if (pod.containers.map((c) => c.name).join() !== 'restore-runner') problems.push(`${at}: the only main container must be restore-runner (its exit ends the Job)`);
  const vault = pod.initContainers.find((c) => c.name === 'vault') as (ContainerLike & { restartPolicy?: string }) | undefined;
  if (vault) {
    if (vault.restartPolicy !== 'Always') problems.push(`${at} container vault: must be a native sidecar (restartPolicy: Always)`);
    if (!vault.image || !parseImage(vault.image).digest) problems.push(`${at} container vault: the Vault image must be pinned by digest`);
  }
  const runner = pod.containers.find((c) => c.name === 'restore-runner');
  if (runner) {
    for (const [name, value] of [['RESTORE_DRILL', 'true'], ['RESTORE_EXIT_WHEN_DONE', 'true']]) if (envValue(runner, name as string) !== value) problems.push(`${at} container restore-runner: ${name} must be ${value}`);
    const podName = runner.env?.find((e) => e.name === 'RESTORE_POD')?.valueFrom as { fieldRef?: { fieldPath?: string } } | undefined;
    if (podName?.fieldRef?.fieldPath !== 'metadata.name') problems.push(`${at} container restore-runner: RESTORE_POD must come from metadata.name (the drill pod restores into its own Vault)`);
  }
  const fetcher = pod.initContainers.find((c) => c.name === 'restore-fetcher');
  if (fetcher && envValue(fetcher, 'RESTORE_MAX_AGE') === undefined) problems.push(`${at} container restore-fetcher: RESTORE_MAX_AGE must be set (a stopped backup must fail the drill)`);
  for (const c of allContainers(pod)) {
    const addr = envValue(c, 'VAULT_ADDR');
    if (addr !== undefined && !LOOPBACK.test(addr)) problems.push(`${at} container ${c.name}: VAULT_ADDR ${addr} is not the pod's loopback: the drill must never talk to the live cluster`);
  }
  return problems;
}

/** An egress rule limited to the Pushgateway's port (9091): the metrics push, nothing of Vault. */
function pushgatewayOnly(rule: Record<string, unknown>): boolean {
  const ports = ((rule.ports as unknown[] | undefined) ?? []).filter(isRecord);
  return ports.length > 0 && ports.every((p) => p.port === 9091);
}

/** The throwaway Vault listens on loopback only, and nothing routes to the drill or from it into the cluster. */
function checkIsolation(objects: readonly K8sObject[], where: string): string[] {
  const problems: string[] = [];
  for (const o of objects) {
    const at = `${where} ${o.kind}/${o.metadata.name}`;
    if (o.kind === 'Service' || o.kind === 'Ingress') problems.push(`${at}: the drill exposes nothing`);
    if (o.kind === 'ConfigMap') {
      const hcl = Object.values((o.data as Record<string, string> | undefined) ?? {}).join('\n');
      for (const m of hcl.matchAll(/\baddress\s*=\s*"([^"]+)"/g)) if (!/^127\.0\.0\.1:/.test(m[1] ?? '')) problems.push(`${at}: listener address ${m[1]} is not loopback`);
    }
    if (o.kind === 'NetworkPolicy') {
      const egress = ((o.spec as { egress?: unknown[] } | undefined)?.egress ?? []).filter(isRecord);
      for (const rule of egress) {
        for (const to of ((rule.to as unknown[] | undefined) ?? []).filter(isRecord)) {
          const ns = (to.namespaceSelector as { matchLabels?: Record<string, string> } | undefined)?.matchLabels?.['kubernetes.io/metadata.name'];
          if (to.namespaceSelector === undefined || ns === 'kube-system' || pushgatewayOnly(rule)) continue;
          problems.push(`${at}: egress into namespace ${ns ?? '(any)'}: the drill may reach DNS, S3 and a Pushgateway only`);
        }
      }
    }
  }
  return problems;
}

/**
 * Every check of a rendered drill: those of a backup overlay (schemas with unknown fields, containers
 * against their packages, hand-overs, security policy, CronJob/ServiceAccount/NetworkPolicy settings),
 * plus the drill's shape and isolation from the live cluster.
 */
export function checkDrillObjects(objects: readonly K8sObject[], where: string): string[] {
  const problems = checkBackupObjects(objects, where);
  for (const pod of podsOf(objects, where)) problems.push(...checkDrillPod(pod));
  problems.push(...checkIsolation(objects, where));
  return problems;
}
