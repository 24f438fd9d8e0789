import { checkContainers } from './env-check';
import { validateStrict } from './k8s-schema';
import { checkPipeline } from './pipeline';
import { podsOf } from './pod';
import { checkPolicy } from './policy';
import { checkServiceAccountToken } from './service-account-token';
import type { K8sObject } from './yaml-io';

/**
 * Every check of a rendered backup overlay: Kubernetes schema (unknown fields
 * included), the container cross-checks, the hand-overs, the security policy, the
 * ServiceAccount token of Kubernetes auth and the CronJob, ServiceAccount and
 * NetworkPolicy settings the design relies on.
 */
export function checkBackupObjects(objects: readonly K8sObject[], where: string): string[] {
  const problems: string[] = [];
  for (const o of objects) problems.push(...validateStrict(o).map((p) => `${where} ${o.kind}/${o.metadata.name}: ${p}`));
  const pods = podsOf(objects, where);
  if (pods.length === 0) problems.push(`${where}: no workload found`);
  for (const pod of pods) problems.push(...checkContainers(pod), ...checkPipeline(pod), ...checkPolicy(pod), ...checkServiceAccountToken(pod));
  for (const o of objects) problems.push(...checkObject(o, objects, where));
  problems.push(...checkIsolation(objects, where));
  return problems;
}

/** Every workload's pods are selected by a NetworkPolicy of the manifests. */
function checkIsolation(objects: readonly K8sObject[], where: string): string[] {
  const selectors = objects
    .filter((o) => o.kind === 'NetworkPolicy')
    .map((o) => ((o.spec as { podSelector?: { matchLabels?: Record<string, string> } } | undefined)?.podSelector?.matchLabels ?? {}));
  const problems: string[] = [];
  for (const o of objects.filter((x) => x.kind === 'CronJob')) {
    const labels = (o.spec as { jobTemplate?: { spec?: { template?: { metadata?: { labels?: Record<string, string> } } } } }).jobTemplate?.spec?.template?.metadata?.labels ?? {};
    const selected = selectors.some((sel) => Object.entries(sel).every(([k, v]) => labels[k] === v));
    if (!selected) problems.push(`${where} CronJob/${o.metadata.name}: no NetworkPolicy selects its pods (labels ${JSON.stringify(labels)})`);
  }
  return problems;
}

function checkObject(o: K8sObject, all: readonly K8sObject[], where: string): string[] {
  const at = `${where} ${o.kind}/${o.metadata.name}`;
  const spec = (o.spec ?? {}) as Record<string, unknown>;
  const problems: string[] = [];
  if (o.kind === 'CronJob') {
    if (spec.concurrencyPolicy !== 'Forbid') problems.push(`${at}: concurrencyPolicy must be Forbid`);
    for (const f of ['timeZone', 'startingDeadlineSeconds', 'successfulJobsHistoryLimit', 'failedJobsHistoryLimit']) {
      if (spec[f] === undefined) problems.push(`${at}: spec.${f} is not set`);
    }
    const job = ((spec.jobTemplate as { spec?: Record<string, unknown> } | undefined)?.spec ?? {}) as Record<string, unknown>;
    for (const f of ['backoffLimit', 'activeDeadlineSeconds', 'ttlSecondsAfterFinished']) {
      if (job[f] === undefined) problems.push(`${at}: jobTemplate.spec.${f} is not set`);
    }
    const pod = ((job.template as { spec?: Record<string, unknown> } | undefined)?.spec ?? {}) as Record<string, unknown>;
    if (pod.automountServiceAccountToken !== false) problems.push(`${at}: the pod must not mount a service account token`);
    const sa = pod.serviceAccountName;
    if (!all.some((x) => x.kind === 'ServiceAccount' && x.metadata.name === sa)) problems.push(`${at}: ServiceAccount ${String(sa)} is not among the manifests`);
  }
  if (o.kind === 'ServiceAccount' && o.automountServiceAccountToken !== false) problems.push(`${at}: automountServiceAccountToken must be false`);
  if (o.kind === 'NetworkPolicy') {
    const types = spec.policyTypes as string[] | undefined;
    if (!types?.includes('Ingress') || !types.includes('Egress')) problems.push(`${at}: policyTypes must list Ingress and Egress`);
    if (Array.isArray(spec.ingress) && spec.ingress.length > 0) problems.push(`${at}: no ingress is allowed`);
  }
  return problems;
}
