import type { Agent as HttpAgent } from 'node:http';
import type { Agent as HttpsAgent } from 'node:https';
import { describeError } from '../errors';
import type { Logger } from '../log';
import { isRetryableNetworkError, sleep } from '../vault/retry';
import { basicAuthOf, displayUrl } from './env';
import { TEXT_CONTENT_TYPE } from './exposition';

/** One push of text-format metrics to a group. */
export interface PushRequest {
  /** The Pushgateway's base URL (may hold `user:password@` and a path prefix). */
  url: string;
  /** The group's path, from {@link groupingPath}. */
  path: string;
  body: string;
  /** Budget of the whole push, the retry included. */
  timeoutMs: number;
  log: Logger;
}

/** Pause before the one retry: long enough for a gateway that is restarting, short against the budget. */
const RETRY_PAUSE_MS = 250;

let agents: { http: HttpAgent; https: HttpsAgent } | undefined;

/** The push's agents, made on the first push: loading http and https at bundle start would slow every `--help`. */
function agent(): { http: HttpAgent; https: HttpsAgent } {
  // No keep-alive: a pooled socket must not hold a finished Job's process open.
  agents ??= { http: new (process.getBuiltinModule('node:http').Agent)({ keepAlive: false }), https: new (process.getBuiltinModule('node:https').Agent)({ keepAlive: false }) };
  return agents;
}

type Attempt = { ok: true; status: number } | { ok: false; problem: string; retry: boolean };

async function attempt(endpoint: string, req: PushRequest, headers: Record<string, string>, deadline: AbortSignal, remainingMs: number): Promise<Attempt> {
  try {
    const { default: got } = await import('got');
    // POST, not PUT: it replaces only the metric names this push carries, so a failed run leaves
    // last_success_timestamp_seconds of the last good run in place (PUT would drop it).
    const res = await got.post(endpoint, {
      body: req.body,
      headers,
      agent: agent(),
      timeout: { request: Math.max(1, remainingMs) },
      retry: { limit: 0 },
      throwHttpErrors: false,
      followRedirect: false,
      responseType: 'text',
      signal: deadline,
    });
    if (res.statusCode >= 200 && res.statusCode < 300) return { ok: true, status: res.statusCode };
    const detail = res.body.trim().slice(0, 300);
    // 4xx (inconsistent metrics, auth) would be refused again; 429 and 5xx may pass a moment later
    return { ok: false, problem: `HTTP ${res.statusCode}${detail ? `: ${detail}` : ''}`, retry: res.statusCode === 429 || res.statusCode >= 500 };
  } catch (err) {
    const timedOut = deadline.aborted || (err as Error).name === 'TimeoutError';
    return { ok: false, problem: timedOut ? 'no answer within METRICS_PUSH_TIMEOUT' : describeError(err), retry: !timedOut && isRetryableNetworkError(err) };
  }
}

/**
 * POSTs text-format metrics to a Pushgateway group within `timeoutMs` (one retry after a network
 * error, 429 or 5xx, inside the same budget). Never throws: a failed push is one warning line.
 * Returns true when the gateway took the metrics.
 */
export async function pushMetrics(req: PushRequest): Promise<boolean> {
  const started = Date.now();
  // the URL without userinfo is both what is logged and what is requested: the credential travels as a header
  const endpoint = `${displayUrl(req.url)}${req.path}`;
  const auth = basicAuthOf(req.url);
  const headers: Record<string, string> = { 'content-type': TEXT_CONTENT_TYPE, 'user-agent': 'vault-raft-backup', ...(auth ? { authorization: auth } : {}) };
  const deadline = AbortSignal.timeout(req.timeoutMs);
  let result: Attempt = { ok: false, problem: 'not attempted', retry: false };
  let attempts = 0;
  while (attempts < 2) {
    attempts++;
    result = await attempt(endpoint, req, headers, deadline, req.timeoutMs - (Date.now() - started));
    if (result.ok || !result.retry || attempts === 2) break;
    if (req.timeoutMs - (Date.now() - started) <= RETRY_PAUSE_MS) break;
    await sleep(RETRY_PAUSE_MS, deadline).catch(() => undefined);
  }
  const durationMs = Date.now() - started;
  if (result.ok) {
    req.log.info('metrics pushed', { url: endpoint, status: result.status, attempts, durationMs });
    return true;
  }
  req.log.warn('metrics push failed; the outcome of the run is unchanged', { url: endpoint, problem: result.problem, attempts, durationMs });
  return false;
}
