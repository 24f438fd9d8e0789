import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { Cluster } from './cluster';
import type { NodeState } from './node';

/** An error answered as `{"errors":[...]}` with its status. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly errors: string[],
  ) {
    super(errors.join('; ') || `status ${status}`);
  }
}

/** What a handler answers; `undefined` means the handler wrote the response itself (streams). */
export type Reply = { status: 200; body: Record<string, unknown> } | { status: 204 } | undefined;

/** Per-request context given to every route handler. */
export interface Ctx {
  cluster: Cluster;
  node: NodeState;
  req: IncomingMessage;
  res: ServerResponse;
  method: string;
  /** Path after `/v1/`, without a trailing slash. */
  path: string;
  query: URLSearchParams;
  remoteIp: string;
}

export const MAX_JSON_BODY = 32 * 1024 * 1024;

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

export function sendError(res: ServerResponse, status: number, errors: string[]): void {
  sendJson(res, status, { errors });
}

/** Vault's standard response envelope. */
export function envelope(fields: { data?: unknown; auth?: unknown; wrap_info?: unknown; lease_duration?: number }): Record<string, unknown> {
  return {
    request_id: randomUUID(),
    lease_id: '',
    renewable: false,
    lease_duration: fields.lease_duration ?? 0,
    data: fields.data ?? null,
    wrap_info: fields.wrap_info ?? null,
    warnings: null,
    auth: fields.auth ?? null,
    mount_type: '',
  };
}

export function ok(data: unknown, extra: { lease_duration?: number } = {}): Reply {
  return { status: 200, body: envelope({ data, ...extra }) };
}

/** Reads a JSON object body (empty body = `{}`). @throws HttpError 400 / 413. */
export async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_JSON_BODY) throw new HttpError(413, ['http: request body too large']);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch (err) {
    throw new HttpError(400, [`failed to parse JSON input: ${(err as Error).message}`]);
  }
  throw new HttpError(400, ['failed to parse JSON input: expected an object']);
}

/** Parses a Vault duration: integer seconds or `30s`, `5m`, `1h`, `1d`. @throws HttpError 400. */
export function parseDuration(value: unknown, field: string): number {
  if (value === undefined || value === null || value === '') return 0;
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return value;
  const match = typeof value === 'string' ? /^(\d+)(s|m|h|d)?$/.exec(value.trim()) : null;
  if (!match?.[1]) throw new HttpError(400, [`error converting input ${String(value)} for field "${field}": invalid duration`]);
  const unit = { s: 1, m: 60, h: 3600, d: 86400 }[(match[2] ?? 's') as 's' | 'm' | 'h' | 'd'];
  return Number(match[1]) * unit;
}

/** A comma-separated string or a list of strings. */
export function stringList(value: unknown): string[] {
  if (value === undefined || value === null || value === '') return [];
  if (Array.isArray(value)) return value.map(String).filter(Boolean);
  return String(value)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Whether an IPv4 address lies in a CIDR block (a bare address means /32). */
export function inCidr(ip: string, cidr: string): boolean {
  const [base = '', bitsText] = cidr.split('/');
  const bits = bitsText === undefined ? 32 : Number(bitsText);
  const toInt = (a: string) => a.split('.').reduce((n, part) => n * 256 + Number(part), 0);
  if (!/^\d+\.\d+\.\d+\.\d+$/.test(ip) || !/^\d+\.\d+\.\d+\.\d+$/.test(base)) return ip === base;
  const size = 2 ** (32 - bits);
  return Math.floor(toInt(ip) / size) === Math.floor(toInt(base) / size);
}

/** RFC 3339 time of epoch seconds. */
export function rfc3339(seconds: number): string {
  return new Date(seconds * 1000).toISOString();
}
