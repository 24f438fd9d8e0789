import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import { checkContainers } from './env-check';
import { validateStrict } from './k8s-schema';
import { checkPipeline } from './pipeline';
import type { ContainerLike, PodUnderTest, VolumeLike } from './pod';
import { checkPolicy } from './policy';
import { RESTORE_CHARTS, type RestoreChart } from './restore-charts';
import { checkRestoreTopology } from './restore-topology';
import { isRecord } from './yaml-io';

/**
 * Merges Helm values the way `helm install -f a -f b` does: maps merge,
 * lists and scalars replace, `null` deletes the key.
 */
export function helmMerge(base: unknown, overlay: unknown): unknown {
  if (!isRecord(base) || !isRecord(overlay)) return structuredClone(overlay);
  const out: Record<string, unknown> = structuredClone(base);
  for (const [key, value] of Object.entries(overlay)) {
    if (value === null) delete out[key];
    else out[key] = key in out ? helmMerge(out[key], value) : structuredClone(value);
  }
  return out;
}

/** Validates values against a JSON schema (draft-07); returns the problems. */
export function schemaProblems(values: unknown, schema: object, where: string): string[] {
  const ajv = new Ajv({ allErrors: true, strict: false });
  // Both schemas are draft-07, ajv's default; the chart spells its $schema with https, which ajv does not know.
  const { $schema: _draft, ...body } = schema as { $schema?: string };
  const validate = ajv.compile(body);
  if (validate(values)) return [];
  return (validate.errors ?? []).map((e) => {
    const extra = e.keyword === 'additionalProperties' ? ` "${String((e.params as { additionalProperty?: string }).additionalProperty)}"` : '';
    return `${where}: ${e.instancePath || '(root)'} ${e.message ?? 'is invalid'}${extra}`;
  });
}

/** The project's own schema of the chart keys it sets (restore/values-schema.json, restore/openbao/values-schema.json). */
export function projectValuesSchema(chart: RestoreChart = 'vault'): object {
  return JSON.parse(readFileSync(join(__dirname, '..', RESTORE_CHARTS[chart].valuesDir, 'values-schema.json'), 'utf8')) as object;
}

/** The pod the chart renders from these values, as far as our containers go (the vault container itself is the chart's). */
export function restorePod(values: unknown, where: string): PodUnderTest {
  const server = isRecord(values) && isRecord(values.server) ? values.server : {};
  return {
    where,
    initContainers: (server.extraInitContainers ?? []) as ContainerLike[],
    containers: (server.extraContainers ?? []) as ContainerLike[],
    volumes: (server.volumes ?? []) as VolumeLike[],
  };
}

/**
 * Every check of a restore values file (already merged with any example layered
 * over it) for a chart: the project's schema of that chart's keys, the Kubernetes
 * schema of each container and volume (unknown fields included), the container
 * cross-checks, and what the chart will render from them (config, pod names).
 */
export function checkRestoreValues(values: unknown, where: string, chart: RestoreChart = 'vault'): string[] {
  const problems = schemaProblems(values, projectValuesSchema(chart), where);
  const pod = restorePod(values, where);
  const containers = [...pod.initContainers, ...pod.containers];
  for (const [i, c] of containers.entries()) problems.push(...validateStrict(c, 'fragment/Container').map((p) => `${where} container ${c.name ?? i}: ${p}`));
  for (const [i, v] of pod.volumes.entries()) problems.push(...validateStrict(v, 'fragment/Volume').map((p) => `${where} volume ${v.name ?? i}: ${p}`));
  for (const c of containers) {
    for (const m of c.volumeMounts ?? []) {
      if (!pod.volumes.some((v) => v.name === m.name)) problems.push(`${where} container ${c.name}: volumeMount ${m.name} has no volume in server.volumes`);
    }
  }
  problems.push(...checkContainers(pod), ...checkPipeline(pod), ...checkPolicy(pod), ...checkRestoreTopology(chart, values, pod));
  if (!containers.some((c) => c.name === 'restore-fetcher') || !containers.some((c) => c.name === 'restore-runner')) {
    problems.push(`${where}: restore-fetcher (extraInitContainers) and restore-runner (extraContainers) are both required`);
  }
  return problems;
}
