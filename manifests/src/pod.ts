import type { K8sObject } from './yaml-io';
import { isRecord } from './yaml-io';

/** The parts of a container the checks read. */
export interface ContainerLike {
  name: string;
  image?: string;
  env?: { name: string; value?: string; valueFrom?: Record<string, unknown> }[];
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean; subPath?: string }[];
  securityContext?: Record<string, unknown>;
  resources?: { requests?: Record<string, unknown>; limits?: Record<string, unknown> };
}

/** The parts of a volume the checks read. */
export interface VolumeLike {
  name: string;
  emptyDir?: { medium?: string; sizeLimit?: string | number };
  secret?: { secretName?: string; optional?: boolean; items?: { key: string; path: string }[] };
  projected?: { defaultMode?: number; sources?: ProjectionLike[] };
  [source: string]: unknown;
}

/** One source of a projected volume (the kinds the checks read). */
export interface ProjectionLike {
  serviceAccountToken?: { audience?: string; expirationSeconds?: number; path: string };
  secret?: { name?: string; items?: { key: string; path: string }[] };
  configMap?: { name?: string; items?: { key: string; path: string }[] };
}

/** A pod (from a workload, or assembled from Helm values) as the checks see it. */
export interface PodUnderTest {
  /** Where it came from, for messages: e.g. `overlays/yandex CronJob/vault-raft-backup`. */
  where: string;
  initContainers: ContainerLike[];
  containers: ContainerLike[];
  volumes: VolumeLike[];
  securityContext?: Record<string, unknown>;
}

function podSpecOf(o: K8sObject): Record<string, unknown> | undefined {
  const spec = o.spec as Record<string, unknown> | undefined;
  if (o.kind === 'Pod') return spec;
  if (o.kind === 'CronJob') return dig(spec, ['jobTemplate', 'spec', 'template', 'spec']);
  if (['Job', 'Deployment', 'StatefulSet', 'DaemonSet'].includes(o.kind)) return dig(spec, ['template', 'spec']);
  return undefined;
}

function dig(v: unknown, keys: string[]): Record<string, unknown> | undefined {
  let cur = v;
  for (const k of keys) cur = isRecord(cur) ? cur[k] : undefined;
  return isRecord(cur) ? cur : undefined;
}

/** Every pod template among rendered objects. */
export function podsOf(objects: readonly K8sObject[], source: string): PodUnderTest[] {
  const pods: PodUnderTest[] = [];
  for (const o of objects) {
    const spec = podSpecOf(o);
    if (!spec) continue;
    pods.push({
      where: `${source} ${o.kind}/${o.metadata.name}`,
      initContainers: (spec.initContainers ?? []) as ContainerLike[],
      containers: (spec.containers ?? []) as ContainerLike[],
      volumes: (spec.volumes ?? []) as VolumeLike[],
      securityContext: spec.securityContext as Record<string, unknown> | undefined,
    });
  }
  return pods;
}

/** The value of a plain `env` entry, or undefined. */
export function envValue(c: ContainerLike, name: string): string | undefined {
  return c.env?.find((e) => e.name === name)?.value;
}

/** The mount whose path contains `file` (the longest match), if any. */
export function mountFor(c: ContainerLike, file: string): { name: string; mountPath: string; readOnly?: boolean } | undefined {
  const hits = (c.volumeMounts ?? []).filter((m) => !m.subPath && file.startsWith(`${m.mountPath.replace(/\/+$/, '')}/`));
  return hits.sort((a, b) => b.mountPath.length - a.mountPath.length)[0];
}

/** All containers in start order: init containers, then the others. */
export function allContainers(pod: PodUnderTest): ContainerLike[] {
  return [...pod.initContainers, ...pod.containers];
}
