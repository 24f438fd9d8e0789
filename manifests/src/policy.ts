import { allContainers, type PodUnderTest } from './pod';
import { isRecord } from './yaml-io';

/**
 * The house rules for every container we ship: non-root, read-only root
 * filesystem, no privilege escalation, all capabilities dropped, RuntimeDefault
 * seccomp, CPU and memory requests and limits; every emptyDir has a sizeLimit.
 */
export function checkPolicy(pod: PodUnderTest): string[] {
  const problems: string[] = [];
  const podSc = pod.securityContext ?? {};
  for (const c of allContainers(pod)) {
    const at = `${pod.where} container ${c.name}`;
    const sc = c.securityContext ?? {};
    const seccomp = (sc.seccompProfile ?? podSc.seccompProfile) as { type?: string } | undefined;
    const caps = sc.capabilities as { drop?: string[]; add?: string[] } | undefined;
    if ((sc.runAsNonRoot ?? podSc.runAsNonRoot) !== true) problems.push(`${at}: runAsNonRoot must be true`);
    if (sc.readOnlyRootFilesystem !== true) problems.push(`${at}: readOnlyRootFilesystem must be true`);
    if (sc.allowPrivilegeEscalation !== false) problems.push(`${at}: allowPrivilegeEscalation must be false`);
    if (sc.privileged === true) problems.push(`${at}: must not be privileged`);
    if (!caps?.drop?.includes('ALL')) problems.push(`${at}: capabilities.drop must include ALL`);
    if ((caps?.add ?? []).length > 0) problems.push(`${at}: must not add capabilities`);
    if (seccomp?.type !== 'RuntimeDefault') problems.push(`${at}: seccompProfile.type must be RuntimeDefault`);
    for (const kind of ['requests', 'limits'] as const) {
      const r = c.resources?.[kind];
      for (const res of ['cpu', 'memory']) if (!isRecord(r) || r[res] === undefined) problems.push(`${at}: resources.${kind}.${res} is missing`);
    }
  }
  for (const v of pod.volumes) {
    if (v.emptyDir && v.emptyDir.sizeLimit === undefined) problems.push(`${pod.where}: emptyDir ${v.name} needs a sizeLimit`);
  }
  return problems;
}
