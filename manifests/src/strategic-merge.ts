import { isRecord } from './yaml-io';

/**
 * Merge keys of the list fields the manifests patch (from the Kubernetes API's
 * `x-kubernetes-patch-merge-key`); any other list is replaced by the patch.
 */
const MERGE_KEYS: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  env: 'name',
  volumes: 'name',
  volumeMounts: 'mountPath',
  ports: 'containerPort',
  imagePullSecrets: 'name',
};

const DIRECTIVE = '$patch';

/**
 * Applies a strategic merge patch: maps merge recursively, `null` deletes a key,
 * lists with a merge key merge item by item (`$patch: delete` removes an item),
 * other lists are replaced. Returns a new value; the inputs are not changed.
 * @throws Error on a directive it does not support.
 */
export function strategicMerge(target: unknown, patch: unknown, field = ''): unknown {
  if (Array.isArray(patch)) return mergeList(Array.isArray(target) ? target : [], patch, field);
  if (!isRecord(patch)) return structuredClone(patch);
  if (patch[DIRECTIVE] === 'replace') return withoutDirective(patch);
  if (patch[DIRECTIVE] !== undefined) throw new Error(`unsupported ${DIRECTIVE}: ${String(patch[DIRECTIVE])} at ${field || '(root)'}`);
  const out: Record<string, unknown> = isRecord(target) ? structuredClone(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = strategicMerge(out[key], value, key);
  }
  return out;
}

function mergeList(target: unknown[], patch: unknown[], field: string): unknown[] {
  const key = MERGE_KEYS[field];
  if (key === undefined) return structuredClone(patch);
  const out = structuredClone(target);
  for (const item of patch) {
    if (!isRecord(item) || item[key] === undefined) throw new Error(`${field}: every patch item needs its merge key "${key}"`);
    const index = out.findIndex((t) => isRecord(t) && t[key] === item[key]);
    if (item[DIRECTIVE] === 'delete') {
      if (index >= 0) out.splice(index, 1);
      continue;
    }
    if (index >= 0) out[index] = strategicMerge(out[index], item, field);
    else out.push(withoutDirective(item));
  }
  return out;
}

function withoutDirective(value: Record<string, unknown>): Record<string, unknown> {
  const { [DIRECTIVE]: _ignored, ...rest } = structuredClone(value);
  return rest;
}
