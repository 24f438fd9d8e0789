import { isRecord } from './yaml-io';

/** One RFC 6902 operation of the kinds the renderer supports. */
export interface JsonPatchOp {
  op: 'add' | 'remove' | 'replace' | 'test';
  path: string;
  value?: unknown;
}

function parsePointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw new Error(`JSON pointer must start with "/": ${path}`);
  return path
    .slice(1)
    .split('/')
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function childOf(node: unknown, token: string, path: string): unknown {
  if (Array.isArray(node)) return node[Number(token)];
  if (isRecord(node)) return node[token];
  throw new Error(`path ${path} does not exist`);
}

/** True when a value is a list of JSON patch operations. */
export function isJsonPatch(value: unknown): value is JsonPatchOp[] {
  return Array.isArray(value) && value.every((op) => isRecord(op) && typeof op.op === 'string' && typeof op.path === 'string');
}

/** RFC 6902 §4.6: the value at `path` equals `value` (JSON equality: same keys, same order-insensitive objects). */
function testOp(root: unknown, op: JsonPatchOp): void {
  let node: unknown = root;
  for (const t of parsePointer(op.path)) node = childOf(node, t, op.path);
  const canonical = (v: unknown): string => JSON.stringify(v, (_k, x) => (isRecord(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => a.localeCompare(b))) : x));
  if (node === undefined || canonical(node) !== canonical(op.value)) throw new Error(`test failed: ${op.path} is not ${JSON.stringify(op.value)}`);
}

/**
 * Applies JSON patch operations (add, remove, replace, test) to a copy of `doc`.
 * @throws Error when a path does not exist, a test fails or an operation is not supported.
 */
export function applyJsonPatch(doc: unknown, ops: readonly JsonPatchOp[]): unknown {
  const root = structuredClone(doc);
  for (const op of ops) {
    if (op.op === 'test') {
      testOp(root, op);
      continue;
    }
    const tokens = parsePointer(op.path);
    const last = tokens.pop();
    if (last === undefined) throw new Error(`cannot ${op.op} the whole document`);
    let parent: unknown = root;
    for (const t of tokens) parent = childOf(parent, t, op.path);
    if (Array.isArray(parent)) patchArray(parent, last, op);
    else if (isRecord(parent)) patchObject(parent, last, op);
    else throw new Error(`path ${op.path} does not exist`);
  }
  return root;
}

function patchArray(list: unknown[], token: string, op: JsonPatchOp): void {
  const index = token === '-' ? list.length : Number(token);
  if (!Number.isInteger(index) || index < 0 || index > list.length) throw new Error(`bad array index in ${op.path}`);
  if (op.op === 'add') list.splice(index, 0, structuredClone(op.value));
  else if (index >= list.length) throw new Error(`path ${op.path} does not exist`);
  else if (op.op === 'remove') list.splice(index, 1);
  else if (op.op === 'replace') list[index] = structuredClone(op.value);
  else throw new Error(`unsupported op ${String(op.op)}`);
}

function patchObject(obj: Record<string, unknown>, key: string, op: JsonPatchOp): void {
  if (op.op === 'add') obj[key] = structuredClone(op.value);
  else if (!(key in obj)) throw new Error(`path ${op.path} does not exist`);
  else if (op.op === 'remove') delete obj[key];
  else if (op.op === 'replace') obj[key] = structuredClone(op.value);
  else throw new Error(`unsupported op ${String(op.op)}`);
}
