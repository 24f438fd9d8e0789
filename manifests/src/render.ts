import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { applyJsonPatch, isJsonPatch } from './json-patch';
import { strategicMerge } from './strategic-merge';
import { asK8sObject, isRecord, type K8sObject, parseYamlDocuments, readYamlDocuments, readYamlFile } from './yaml-io';

/**
 * A kustomize-equivalent renderer for the subset the manifests use: resources
 * (files and directories), components (resources and patches), namespace, labels
 * (without selectors), commonAnnotations, images and patches (strategic merge or
 * JSON 6902, by name or by target).
 * Anything else fails loudly instead of being ignored.
 */

const SUPPORTED = new Set(['apiVersion', 'kind', 'resources', 'components', 'namespace', 'labels', 'commonAnnotations', 'images', 'patches']);
/** What a Component (kind: Component) may hold here. */
const COMPONENT_FIELDS = new Set(['apiVersion', 'kind', 'resources', 'patches']);
const CLUSTER_SCOPED = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'PersistentVolume', 'StorageClass', 'PriorityClass']);

interface Kustomization {
  kind?: string;
  resources?: string[];
  components?: string[];
  namespace?: string;
  labels?: { pairs: Record<string, string>; includeSelectors?: boolean; includeTemplates?: boolean }[];
  commonAnnotations?: Record<string, string>;
  images?: ImageRule[];
  patches?: { path?: string; patch?: string; target?: Target }[];
}

/** An `images:` entry. */
export interface ImageRule {
  name: string;
  newName?: string;
  newTag?: string;
  digest?: string;
}

interface Target {
  group?: string;
  version?: string;
  kind?: string;
  name?: string;
  namespace?: string;
}

/** Finds the kustomization file of a directory. @throws Error when there is none */
export function kustomizationFile(dir: string): string {
  for (const name of ['kustomization.yaml', 'kustomization.yml', 'Kustomization']) {
    const file = join(dir, name);
    if (existsSync(file)) return file;
  }
  throw new Error(`${dir}: no kustomization.yaml`);
}

function loadKustomization(dir: string): Kustomization {
  const file = kustomizationFile(dir);
  const k = readYamlFile(file);
  if (!isRecord(k)) throw new Error(`${file}: not a mapping`);
  const unsupported = Object.keys(k).filter((key) => !SUPPORTED.has(key));
  if (unsupported.length > 0) throw new Error(`${file}: fields not supported by this renderer: ${unsupported.join(', ')}`);
  for (const l of (k.labels ?? []) as Kustomization['labels'] & object) {
    if (l.includeSelectors || l.includeTemplates) throw new Error(`${file}: labels with includeSelectors/includeTemplates are not supported`);
  }
  return k as Kustomization;
}

/**
 * Renders a kustomization directory to the list of objects `kubectl kustomize` would print.
 * @throws Error naming the file when something is missing, malformed or not supported.
 */
export function render(dir: string): K8sObject[] {
  const root = resolve(dir);
  const k = loadKustomization(root);
  if (k.kind === 'Component') throw new Error(`${kustomizationFile(root)}: a Component is used from components: of a kustomization, not rendered alone`);
  let objects = resourcesOf(root, k);
  for (const c of k.components ?? []) objects = applyComponent(objects, resolve(root, c));
  for (const p of k.patches ?? []) objects = applyPatch(objects, root, p);
  if (k.namespace !== undefined) for (const o of objects) setNamespace(o, k.namespace);
  for (const l of k.labels ?? []) for (const o of objects) o.metadata.labels = { ...o.metadata.labels, ...l.pairs };
  if (k.commonAnnotations) for (const o of objects) o.metadata.annotations = { ...o.metadata.annotations, ...k.commonAnnotations };
  for (const rule of k.images ?? []) for (const o of objects) retargetImages(o, rule);
  return objects;
}

function resourcesOf(root: string, k: Kustomization): K8sObject[] {
  const objects: K8sObject[] = [];
  for (const entry of k.resources ?? []) {
    const path = resolve(root, entry);
    if (!existsSync(path)) throw new Error(`${kustomizationFile(root)}: resource ${entry} does not exist`);
    if (statSync(path).isDirectory()) objects.push(...render(path));
    else objects.push(...readYamlDocuments(path).map((d) => asK8sObject(d, path)));
  }
  return objects;
}

/** A Component, as kustomize applies it after the resources: its own resources join, then its patches apply to all. */
function applyComponent(objects: K8sObject[], dir: string): K8sObject[] {
  const file = kustomizationFile(dir);
  const k = loadKustomization(dir);
  if (k.kind !== 'Component') throw new Error(`${file}: a component must be kind: Component`);
  const unsupported = Object.keys(k).filter((key) => !COMPONENT_FIELDS.has(key));
  if (unsupported.length > 0) throw new Error(`${file}: fields not supported in a component by this renderer: ${unsupported.join(', ')}`);
  let out = [...objects, ...resourcesOf(dir, k)];
  for (const p of k.patches ?? []) out = applyPatch(out, dir, p);
  return out;
}

function setNamespace(o: K8sObject, namespace: string): void {
  if (!CLUSTER_SCOPED.has(o.kind)) o.metadata.namespace = namespace;
}

function applyPatch(objects: K8sObject[], root: string, p: { path?: string; patch?: string; target?: Target }): K8sObject[] {
  const where = p.path ? resolve(root, p.path) : `${kustomizationFile(root)} (inline patch)`;
  const docs = p.path ? readYamlDocuments(resolve(root, p.path)) : parseYamlDocuments(p.patch ?? '', where);
  const body = docs.length === 1 ? docs[0] : docs;
  if (isJsonPatch(body)) {
    if (!p.target) throw new Error(`${where}: a JSON 6902 patch needs a target`);
    const target = p.target;
    return mapMatching(objects, target, where, (o) => asK8sObject(applyJsonPatch(o, body), where));
  }
  const patch = asK8sObject(body, where);
  const target: Target = p.target ?? { kind: patch.kind, name: patch.metadata.name };
  // With a target, the patch's own name is only a placeholder: keep the object's.
  return mapMatching(objects, target, where, (o) => asK8sObject(strategicMerge(o, { ...patch, metadata: { ...patch.metadata, name: o.metadata.name } }), where));
}


function matches(o: K8sObject, t: Target): boolean {
  const [group, version] = o.apiVersion.includes('/') ? o.apiVersion.split('/') : ['', o.apiVersion];
  return (
    (t.kind === undefined || t.kind === o.kind) &&
    (t.name === undefined || t.name === o.metadata.name) &&
    (t.namespace === undefined || t.namespace === o.metadata.namespace) &&
    (t.group === undefined || t.group === group) &&
    (t.version === undefined || t.version === version)
  );
}

function mapMatching(objects: K8sObject[], target: Target, where: string, fn: (o: K8sObject) => K8sObject): K8sObject[] {
  let hits = 0;
  const out = objects.map((o) => {
    if (!matches(o, target)) return o;
    hits++;
    return fn(o);
  });
  if (hits === 0) throw new Error(`${where}: the patch matches no resource (${JSON.stringify(target)})`);
  return out;
}

/** Splits an image reference into name, tag and digest. */
export function parseImage(ref: string): { name: string; tag?: string; digest?: string } {
  const [withoutDigest = '', digest] = ref.split('@');
  const slash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.lastIndexOf(':');
  const hasTag = colon > slash;
  return {
    name: hasTag ? withoutDigest.slice(0, colon) : withoutDigest,
    ...(hasTag ? { tag: withoutDigest.slice(colon + 1) } : {}),
    ...(digest ? { digest } : {}),
  };
}

function retargetImages(node: unknown, rule: ImageRule): void {
  if (Array.isArray(node)) for (const item of node) retargetImages(item, rule);
  if (!isRecord(node)) return;
  for (const [key, value] of Object.entries(node)) {
    if ((key === 'containers' || key === 'initContainers') && Array.isArray(value)) {
      for (const c of value) if (isRecord(c) && typeof c.image === 'string') c.image = applyImageRule(c.image, rule);
    }
    retargetImages(value, rule);
  }
}

/** The image reference after an `images:` rule, or unchanged when the name differs. */
export function applyImageRule(ref: string, rule: ImageRule): string {
  const img = parseImage(ref);
  if (img.name !== rule.name) return ref;
  const name = rule.newName ?? img.name;
  if (rule.digest) return `${name}@${rule.digest}`;
  const tag = rule.newTag ?? img.tag;
  if (img.digest && !rule.newTag) return `${name}${tag ? `:${tag}` : ''}@${img.digest}`;
  return tag ? `${name}:${tag}` : name;
}
