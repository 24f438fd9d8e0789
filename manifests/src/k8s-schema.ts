import { CronJob, Job } from 'kubernetes-models/batch/v1';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { ConfigMap, Container, Namespace, Secret, ServiceAccount, Volume } from 'kubernetes-models/v1';
import { isRecord } from './yaml-io';

/**
 * Kubernetes API schema validation that also rejects unknown fields.
 *
 * kubernetes-models 4.5.0 (the last line that runs on Node 20; 5.x needs Node >= 22)
 * ships compiled validators that check types, enums and required fields but let
 * unknown keys through, as the API server's non-strict decoding would. The strict
 * part watches the validator itself: every key the compiled schema knows is read
 * by it, and maps (labels, resources.limits, ...) are enumerated by it. A key that
 * the validator neither read nor enumerated is not in the schema: a misspelling.
 */

type ValidateFn = (this: unknown) => void;

/** Validators by `apiVersion/kind`, for the kinds the project ships. */
const MODELS: Record<string, { prototype: { validate: ValidateFn } }> = {
  'v1/Namespace': Namespace,
  'v1/ServiceAccount': ServiceAccount,
  'v1/Secret': Secret,
  'v1/ConfigMap': ConfigMap,
  'batch/v1/CronJob': CronJob,
  'batch/v1/Job': Job,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
  // Fragments: the containers and volumes of Helm values.
  'fragment/Container': Container,
  'fragment/Volume': Volume,
};

interface Watch {
  read: WeakMap<object, Set<string>>;
  enumerated: WeakSet<object>;
  proxies: WeakMap<object, object>;
}

function watched<T>(value: T, w: Watch): T {
  if (typeof value !== 'object' || value === null) return value;
  const known = w.proxies.get(value);
  if (known) return known as T;
  const read = new Set<string>();
  w.read.set(value, read);
  const proxy = new Proxy(value, {
    get(target, key, receiver) {
      if (typeof key === 'string') read.add(key);
      return watched(Reflect.get(target, key, receiver), w);
    },
    ownKeys(target) {
      w.enumerated.add(target);
      return Reflect.ownKeys(target);
    },
  });
  w.proxies.set(value, proxy);
  return proxy;
}

function unknownKeys(value: unknown, w: Watch, path: string, out: string[]): void {
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) unknownKeys(item, w, `${path}/${i}`, out);
    return;
  }
  if (!isRecord(value)) return;
  const read = w.read.get(value);
  for (const [key, child] of Object.entries(value)) {
    if (!w.enumerated.has(value) && !read?.has(key)) out.push(`${path}/${key}: unknown field "${key}"`);
    else unknownKeys(child, w, `${path}/${key}`, out);
  }
}

/**
 * Validates one object against the Kubernetes API schema of its kind and reports
 * unknown fields too. `kind` overrides the lookup (e.g. `fragment/Container`).
 * Returns the problems, each with a JSON pointer; empty when valid.
 */
export function validateStrict(object: unknown, kind?: string): string[] {
  const o = object as { apiVersion?: unknown; kind?: unknown };
  const key = kind ?? `${String(o.apiVersion)}/${String(o.kind)}`;
  const model = MODELS[key];
  if (!model) return [`no schema for ${key} (supported: ${Object.keys(MODELS).join(', ')})`];
  const w: Watch = { read: new WeakMap(), enumerated: new WeakSet(), proxies: new WeakMap() };
  const problems: string[] = [];
  try {
    model.prototype.validate.call(watched(object, w));
  } catch (err) {
    problems.push(...String((err as Error).message).split(', '));
  }
  unknownKeys(object, w, '', problems);
  return problems;
}

/** The kinds {@link validateStrict} knows. */
export function supportedKinds(): string[] {
  return Object.keys(MODELS);
}
