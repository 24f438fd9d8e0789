import { AppError, VaultError } from '@vault-raft-backup/common';
import type { NodeContext } from './vault-node';

/** The canary secret a drill reads back: a KV path (v1 `secret/drill`, or v2 `secret/data/drill`), a field, an expected value. */
export interface Canary {
  path: string;
  field?: string | undefined;
  /** Compared as a string; a secret (registered for redaction), never printed. */
  expected?: string | undefined;
}

type Body = { data?: Record<string, unknown> | null } | undefined;

/** KV v2 answers `{data: {data, metadata}}` (vault/logical/kv ... path_data.go), v1 answers `{data}`. */
function secretData(body: Body): Record<string, unknown> | undefined {
  const data = body?.data ?? undefined;
  if (!data) return undefined;
  const inner = data.data;
  const metadata = data.metadata;
  const v2 = inner !== null && typeof inner === 'object' && metadata !== null && typeof metadata === 'object';
  return v2 ? (inner as Record<string, unknown>) : data;
}

/**
 * Reads the canary with the source token and checks it exists and, when asked, holds the expected value.
 * @throws AppError DRILL_FAILED naming the path and what differs (never a value)
 */
export async function checkCanary(ctx: NodeContext, token: string, canary: Canary): Promise<void> {
  const where = `the canary ${canary.path}`;
  const res = await ctx.client.request<Body>('GET', canary.path, { token, signal: ctx.signal, allowStatus: [403, 404] });
  if (res.status === 404) throw new AppError('DRILL_FAILED', `${where} does not exist in the restored data (a KV v2 path reads as <mount>/data/<path>)`);
  if (res.status === 403) throw new VaultError('DRILL_FAILED', `${where} may not be read with RESTORE_VERIFY_TOKEN (403): give that token's policy read on it`, { path: canary.path, status: 403 });
  const data = secretData(res.body);
  if (!data) throw new AppError('DRILL_FAILED', `${where} answered without data (a KV v2 secret whose latest version is deleted?)`);
  if (canary.field === undefined) return;
  const value = data[canary.field];
  if (value === undefined) throw new AppError('DRILL_FAILED', `${where} has no field ${canary.field}`);
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  if (canary.expected !== undefined && text !== canary.expected) throw new AppError('DRILL_FAILED', `${where} field ${canary.field} holds another value than RESTORE_CANARY_VALUE`);
}
