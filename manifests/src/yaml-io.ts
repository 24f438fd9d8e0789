import { readFileSync } from 'node:fs';
import { parseAllDocuments, stringify } from 'yaml';

/** A Kubernetes object as read from YAML. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [key: string]: unknown;
}

/**
 * Parses every non-empty YAML document of a file. YAML 1.1 as kubectl reads it
 * (so `defaultMode: 0440` is octal), aliases resolved into independent copies.
 * @throws Error naming the file when a document does not parse.
 */
export function readYamlDocuments(file: string): unknown[] {
  return parseYamlDocuments(readFileSync(file, 'utf8'), file);
}

/** Parses YAML text like {@link readYamlDocuments}; `where` names it in errors. @throws Error when a document does not parse */
export function parseYamlDocuments(text: string, where: string): unknown[] {
  const docs = parseAllDocuments(text, { version: '1.1' });
  const out: unknown[] = [];
  for (const doc of docs) {
    if (doc.errors.length > 0) throw new Error(`${where}: ${doc.errors.map((e) => e.message).join('; ')}`);
    const value: unknown = doc.toJS({ maxAliasCount: 100 });
    if (value !== null && value !== undefined) out.push(structuredClone(value));
  }
  return out;
}

/** Reads one YAML document (e.g. a kustomization or a Helm values file). @throws Error when the file holds not exactly one document */
export function readYamlFile(file: string): unknown {
  const docs = readYamlDocuments(file);
  if (docs.length !== 1) throw new Error(`${file}: expected one YAML document, found ${docs.length}`);
  return docs[0];
}

/** Checks the shape every Kubernetes object has. @throws Error naming the file otherwise */
export function asK8sObject(value: unknown, where: string): K8sObject {
  const v = value as Partial<K8sObject> | null;
  if (!isRecord(v) || typeof v.apiVersion !== 'string' || typeof v.kind !== 'string' || !isRecord(v.metadata) || typeof v.metadata.name !== 'string') {
    throw new Error(`${where}: not a Kubernetes object (apiVersion, kind and metadata.name are required)`);
  }
  return v as K8sObject;
}

/** Multi-document YAML as `kubectl kustomize` prints it. */
export function toYaml(objects: readonly unknown[]): string {
  return objects.map((o) => stringify(o, { lineWidth: 0 })).join('---\n');
}

/** True for a plain object (not an array, not null). */
export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
