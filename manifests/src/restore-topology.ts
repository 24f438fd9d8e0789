import { allContainers, type ContainerLike, envValue, type PodUnderTest } from './pod';
import { chartMode, RESTORE_CHARTS, type RestoreChart, renderedConfig, replicasOf } from './restore-charts';

/** The pods the chart's StatefulSet will have: `<release>-0` .. `<release>-<n-1>`. */
function podNames(release: string, replicas: number): string[] {
  return Array.from({ length: replicas }, (_, i) => `${release}-${i}`);
}

/** The pod a `http(s)://<pod>.<release>-internal:8200` address names, or undefined. */
function podOfAddress(addr: string, release: string): string | undefined {
  const m = new RegExp(`^https?://([a-z0-9-]+)\\.${release}-internal(?::8200)?/?$`).exec(addr.trim());
  return m?.[1];
}

/**
 * The config the chart will render for these values: raft storage (a raft snapshot
 * needs it), `service_registration "kubernetes"` only where the chart grants its
 * Role (HA mode), and retry_join addresses that name the release's own pods.
 */
function checkConfig(chart: RestoreChart, values: unknown, where: string): string[] {
  const { release } = RESTORE_CHARTS[chart];
  const { key, text } = renderedConfig(chart, values);
  const at = `${where}: the chart renders ${key}`;
  if (text === undefined) return [`${at}, which these values leave at the chart's default: set it (raft storage)`];
  const problems: string[] = [];
  const mode = chartMode(values);
  const pods = podNames(release, replicasOf(values));
  if (!/storage\s+"raft"/.test(text)) problems.push(`${at} without storage "raft": a raft snapshot cannot be restored into it`);
  if (mode === 'standalone' && /service_registration\s+"kubernetes"/.test(text)) {
    problems.push(`${at} with service_registration "kubernetes" in standalone mode, where the chart grants no Role to label pods`);
  }
  const joins = [...text.matchAll(/leader_api_addr\s*=\s*"([^"]+)"/g)].map((m) => m[1] ?? '');
  if (mode === 'ha' && pods.length > 1 && joins.length === 0) problems.push(`${at} without retry_join: the followers would never join`);
  for (const addr of joins) {
    const pod = podOfAddress(addr, release);
    if (!pod || !pods.includes(pod)) problems.push(`${at}: retry_join ${addr} is not one of ${pods.join(', ')} (http://<pod>.${release}-internal:8200)`);
  }
  return problems;
}

function fromPodName(c: ContainerLike): boolean {
  const e = c.env?.find((x) => x.name === 'HOSTNAME');
  const fieldRef = e?.valueFrom?.fieldRef as { fieldPath?: string } | undefined;
  return fieldRef?.fieldPath === 'metadata.name';
}

/** RESTORE_POD and HOSTNAME in both containers, and the followers the runner unseals. */
function checkPods(chart: RestoreChart, values: unknown, pod: PodUnderTest): string[] {
  const { release } = RESTORE_CHARTS[chart];
  const pods = podNames(release, replicasOf(values));
  const problems: string[] = [];
  const ours = allContainers(pod).filter((c) => c.name === 'restore-fetcher' || c.name === 'restore-runner');
  const restorePods = new Set(ours.map((c) => envValue(c, 'RESTORE_POD')));
  for (const c of ours) {
    const at = `${pod.where} container ${c.name}`;
    const restorePod = envValue(c, 'RESTORE_POD');
    if (restorePod === undefined) problems.push(`${at}: RESTORE_POD is not set (one of ${pods.join(', ')})`);
    else if (!pods.includes(restorePod)) problems.push(`${at}: RESTORE_POD ${restorePod} is not one of the release's pods ${pods.join(', ')}`);
    if (!fromPodName(c)) problems.push(`${at}: HOSTNAME must come from the pod name (valueFrom.fieldRef.fieldPath: metadata.name)`);
  }
  if (restorePods.size > 1) problems.push(`${pod.where}: restore-fetcher and restore-runner name different RESTORE_POD values`);
  const runner = ours.find((c) => c.name === 'restore-runner');
  if (runner) problems.push(...checkPeers(runner, pods, release, pod.where));
  return problems;
}

function checkPeers(runner: ContainerLike, pods: string[], release: string, where: string): string[] {
  const at = `${where} container restore-runner`;
  // Unset, the runner restores in ordinal 0 (decideRestorePod).
  const restorePod = envValue(runner, 'RESTORE_POD') ?? pods[0];
  const peers = (envValue(runner, 'RESTORE_PEER_ADDRS') ?? '').split(',').filter((a) => a.trim() !== '');
  const named = peers.map((a) => podOfAddress(a, release));
  const problems: string[] = [];
  for (const [i, addr] of peers.entries()) {
    const p = named[i];
    if (!p || !pods.includes(p) || p === restorePod) problems.push(`${at}: RESTORE_PEER_ADDRS ${addr} is not a follower of ${pods.join(', ')}: the runner would wait for it until RESTORE_WAIT_TIMEOUT and fail`);
  }
  if (envValue(runner, 'VAULT_UNSEAL_KEYS_FILE') !== undefined) {
    const missing = pods.filter((p) => p !== restorePod && !named.includes(p));
    if (missing.length > 0) problems.push(`${at}: with VAULT_UNSEAL_KEYS_FILE, RESTORE_PEER_ADDRS must name every follower; missing ${missing.join(', ')} (it would stay sealed)`);
  }
  return problems;
}

/** Secrets the pods mount must not keep a pod from starting once they are gone (followers never read them; the docs delete them after the restore). */
function checkOptionalSecrets(pod: PodUnderTest): string[] {
  return pod.volumes.filter((v) => v.secret && v.secret.optional !== true).map((v) => `${pod.where}: Secret volume ${v.name} must be optional: true, or a pod without that Secret hangs in ContainerCreating`);
}

/**
 * The checks that depend on the chart: the config it will render, the pod names of
 * the release the docs install, the followers the runner unseals, optional Secrets.
 */
export function checkRestoreTopology(chart: RestoreChart, values: unknown, pod: PodUnderTest): string[] {
  return [...checkConfig(chart, values, pod.where), ...checkPods(chart, values, pod), ...checkOptionalSecrets(pod)];
}
