import { authorize } from './acl';
import type { SealConfig } from './barrier';
import { type Ctx, HttpError, readJson, type Reply } from './http-util';
import { withLock } from './node';
import { READ, type Route, WRITE } from './route';
import { isInitialized } from './seal-access';
import { sealStatus } from './seal-status';
import { unsealFragment } from './unseal';

/** The seal status under a shared hold of the state lock (`GetSealStatus(ctx, true)` takes it). */
function statusReply(ctx: Ctx): Promise<Reply> {
  return withLock(ctx.node, false, () => ({ status: 200, body: sealStatus(ctx.cluster, ctx.node) }) as Reply);
}

/** Go's json into an int field: absent or null is 0, anything but an integer is a decode error (400). */
function intField(body: Record<string, unknown>, name: string): number {
  const value = body[name];
  if (value === undefined || value === null) return 0;
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  throw new HttpError(400, [`json: cannot unmarshal ${typeof value === 'number' ? 'number' : typeof value} into Go struct field InitRequest.${name} of type int`]);
}

/** internal/vault/seal.go `SealConfig.Validate` (barrier) and `ValidateRecovery` (recovery: zero shares allowed). */
function configProblem(config: SealConfig, recovery: boolean): string | undefined {
  if (!recovery && config.secretShares < 1) return 'shares must be at least one';
  if (!recovery && config.secretThreshold < 1) return 'threshold must be at least one';
  if (config.secretShares > 1 && config.secretThreshold < 2) return 'threshold must be greater than one for multiple shares';
  if (config.secretShares > 255) return 'shares must be less than 256';
  if (config.secretThreshold > 255) return 'threshold must be less than 256';
  if (config.secretThreshold > config.secretShares) return 'threshold cannot be larger than shares';
  return undefined;
}

/**
 * `PUT sys/init` (internal/http/sys_init.go `handleSysInitPut`, internal/vault/init.go `initializeInternal`): the parameter family
 * must fit the seal, the configs must validate, then under the state lock the node must not be initialized.
 */
async function init(ctx: Ctx): Promise<Reply> {
  const body = await readJson(ctx.req);
  const { cluster, node } = ctx;
  const fields = {
    shares: intField(body, 'secret_shares'),
    threshold: intField(body, 'secret_threshold'),
    rShares: intField(body, 'recovery_shares'),
    rThreshold: intField(body, 'recovery_threshold'),
  };
  const wrongFamily = cluster.shamir ? { recovery_shares: fields.rShares, recovery_threshold: fields.rThreshold } : { secret_shares: fields.shares, secret_threshold: fields.threshold };
  const wrong = Object.entries(wrongFamily).filter(([, v]) => v !== 0);
  if (wrong.length > 0) throw new HttpError(400, [`parameters ${wrong.map(([k]) => k).join(',')} not applicable to seal type ${cluster.product.sealType}`]);
  const type = cluster.product.sealType;
  const barrier = cluster.shamir ? { type, secretShares: fields.shares, secretThreshold: fields.threshold } : { type, secretShares: 1, secretThreshold: 1 };
  const barrierProblem = configProblem(barrier, false);
  if (barrierProblem) throw new HttpError(400, [`invalid seal configuration: ${barrierProblem}`]);
  const recoveryProblem = cluster.shamir ? undefined : configProblem({ type: 'shamir', secretShares: fields.rShares, secretThreshold: fields.rThreshold }, true);
  if (recoveryProblem) throw new HttpError(400, [`invalid recovery configuration: ${recoveryProblem}`]);
  return withLock(node, true, () => {
    if (isInitialized(cluster, node)) throw new HttpError(400, ['Vault is already initialized']);
    // Deliberate difference: a follower that never reached the leader would bootstrap a second cluster.
    if (node.index !== 0) throw new HttpError(400, ['the Vault double initializes node 0 only; followers join it']);
    const [shares, threshold] = cluster.shamir ? [fields.shares, fields.threshold] : [fields.rShares, fields.rThreshold];
    return { status: 200, body: { ...cluster.initialize(node, shares, threshold) } } as Reply;
  });
}

/** internal/http/sys_seal.go: hex when it decodes to a key length (16..33 bytes), else standard base64. */
function decodeUnsealKey(text: string): Buffer | undefined {
  if (/^(?:[0-9a-fA-F]{2})+$/.test(text)) {
    const bytes = Buffer.from(text, 'hex');
    if (bytes.length >= 16 && bytes.length <= 33) return bytes;
  }
  if (/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(text)) return Buffer.from(text, 'base64');
  return undefined;
}

/**
 * `PUT sys/unseal` (internal/http/sys_seal.go `handleSysUnseal`). `reset` on a sealed node drops the progress and answers
 * the status; on an unsealed node it is 400 `vault is unsealed`. A key is tried under the exclusive state lock
 * (internal/vault/core.go `unsealFragment`), which a joining follower keeps until the join completes.
 */
async function unseal(ctx: Ctx): Promise<Reply> {
  const body = await readJson(ctx.req);
  const { cluster, node } = ctx;
  if (body.reset === true) {
    if (!node.sealed) throw new HttpError(400, ['vault is unsealed']);
    Object.assign(node, { progress: [], nonce: '' });
    return statusReply(ctx);
  }
  if (typeof body.key !== 'string' || body.key === '') throw new HttpError(400, ["'key' must be specified in request body as JSON, or 'reset' set to true"]);
  const key = decodeUnsealKey(body.key);
  if (!key) throw new HttpError(400, ["'key' must be a valid hex or base64 string"]);
  const generation = node.generation;
  await withLock(node, true, () => unsealFragment(cluster, node, key));
  return node.generation === generation ? statusReply(ctx) : undefined;
}

/** `PUT sys/seal`: needs sudo on `sys/seal`; seals the node it reaches (not forwarded). */
async function seal(ctx: Ctx): Promise<Reply> {
  authorize(ctx, 'sys/seal', ['sudo']);
  return withLock(ctx.node, true, () => {
    ctx.node.sealed = true;
    return { status: 204 } as Reply;
  });
}

/** Seal status, init, unseal and seal: handled by the node they reach. */
export const sealRoutes: Route[] = [
  { methods: READ, pattern: /^sys\/seal-status$/, scope: 'local', handle: statusReply },
  { methods: READ, pattern: /^sys\/init$/, scope: 'local', handle: (ctx) => ({ status: 200, body: { initialized: isInitialized(ctx.cluster, ctx.node) } }) },
  { methods: WRITE, pattern: /^sys\/init$/, scope: 'local', handle: init },
  { methods: WRITE, pattern: /^sys\/unseal$/, scope: 'local', handle: unseal },
  { methods: WRITE, pattern: /^sys\/seal$/, scope: 'local', handle: seal },
];
