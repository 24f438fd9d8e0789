import { type Readable, pipeline, Transform } from 'node:stream';
import type { Delays, Got } from 'got';
import { VaultError } from '../errors';
import type { Logger } from '../log';
import { statusError } from './errors-of';
import { type Answer, exchange, type ReopenableBody, transferError } from './exchange';
import { redirectTarget } from './redirect';
import { type RetryPolicy, withRetry } from './retry';
import { guardTransfer, type SpeedFloor, type TransferLimits } from '../transfer-guard';

export type VaultMethod = 'GET' | 'POST' | 'PUT' | 'DELETE' | 'LIST';

/** Settings of the transport, shared by every call of one client. */
export interface TransportSettings {
  /** Base address without a trailing slash. */
  addr: string;
  /** got, loaded on first use. */
  http: () => Promise<Got>;
  /** One JSON call; connecting, for a transfer. */
  timeoutMs: number;
  retry: RetryPolicy;
  floor: SpeedFloor;
  log: Logger;
}

/** One Vault call: JSON, a download, or an upload of a re-openable body. */
export interface VaultCall {
  method: VaultMethod;
  /** Path below `/v1/`, with its query if any. */
  path: string;
  headers: Record<string, string>;
  json?: unknown;
  /** Only for `upload`. */
  body?: ReopenableBody | undefined;
  /** Safe to send again after a network error, 429 or 5xx. */
  idempotent?: boolean | undefined;
  /** Error statuses handed back instead of thrown. */
  allowStatus?: readonly number[] | undefined;
  signal?: AbortSignal | undefined;
}

/** How a transfer is timed: until the answer's head, and how long it may move no byte. */
export interface TransferTiming {
  headMs: number;
  idleMs: number;
  onProgress?: ((bytes: number) => void) | undefined;
}

/** An answer whose body is read: its status, its text, the URL that answered. */
export interface TextAnswer {
  status: number;
  text: string;
  url: string;
}

const MAX_JSON = 32 * 1024 * 1024;
const MAX_ERROR_BODY = 64 * 1024;

/** Reads a body as text, up to `limit` bytes; past it, `cut` decides: keep what was read, or fail. */
async function readText(body: Readable, limit: number, cut: 'truncate' | 'fail'): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      body.destroy();
      if (cut === 'fail') throw new Error(`answer larger than ${limit} bytes`);
      break;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The one request path of every Vault call: timeouts, the redirect policy, the retry policy, error decoding. */
export class VaultTransport {
  constructor(private readonly s: TransportSettings) {}

  /**
   * A JSON call: the whole call (answer read) within VAULT_TIMEOUT, retried as a whole when idempotent.
   * @throws VaultError for a status >= 400 not in allowStatus, no answer, or a redirect not followed.
   */
  async text(call: VaultCall): Promise<TextAnswer> {
    return this.send(call, { request: this.s.timeoutMs }, async (answer) => {
      try {
        return { status: answer.status, text: await readText(answer.body, MAX_JSON, 'fail'), url: answer.url };
      } catch (cause) {
        if (call.signal?.aborted) throw call.signal.reason;
        throw new VaultError('VAULT_UNREACHABLE', `answer of Vault at ${new URL(answer.url).origin} broke off: ${describe(call)}`, { path: call.path, cause });
      }
    });
  }

  /**
   * A download: retried until its head arrived (within `headMs`), then ended when it stalls for `idleMs`
   * or crawls below the speed floor. The body errors with VaultError VAULT_TIMEOUT then.
   * @throws VaultError before the first byte.
   */
  async download(call: VaultCall, timing: TransferTiming): Promise<Answer> {
    const answer = await this.send(call, this.transferDelays(timing), async (a) => a);
    const limits: TransferLimits = { ...this.s.floor, idleMs: timing.idleMs };
    let moved = 0;
    const guard = guardTransfer(limits, (why) => counted.destroy(transferError(why, limits, 'sent', describe(call), call.path)));
    const counted = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        moved += chunk.length;
        guard.progress(moved);
        done(null, chunk);
      },
    });
    pipeline(answer.body, counted, () => guard.stop());
    return { ...answer, body: counted };
  }

  /**
   * An upload of a re-openable body (opened again for the one redirect it may follow), ended when Vault
   * takes no byte for `idleMs` or takes them below the speed floor; then `headMs` for Vault's answer.
   * @throws VaultError for an error status, no answer, a redirect not followed, or VAULT_TIMEOUT.
   */
  async upload(call: VaultCall, timing: TransferTiming): Promise<TextAnswer> {
    return this.send(call, this.transferDelays(timing), async (a) => ({ status: a.status, text: await readText(a.body, MAX_ERROR_BODY, 'truncate'), url: a.url }), timing);
  }

  private transferDelays(timing: TransferTiming): Delays {
    const t = this.s.timeoutMs;
    return { lookup: t, connect: t, secureConnect: t, response: timing.headMs };
  }

  /** Retries (when idempotent) one attempt: the request with its redirect, then `consume` of the answer. */
  private send<R>(call: VaultCall, timeout: Delays, consume: (a: Answer) => Promise<R>, upload?: TransferTiming): Promise<R> {
    const what = describe(call);
    return withRetry(async () => consume(await this.follow(call, timeout, what, upload)), {
      policy: this.s.retry,
      idempotent: call.idempotent === true,
      call: what,
      path: call.path,
      log: this.s.log,
      signal: call.signal,
    });
  }

  /** Sends the call, following at most the one redirect the policy allows. @throws VaultError */
  private async follow(call: VaultCall, timeout: Delays, what: string, upload?: TransferTiming): Promise<Answer> {
    const path = call.path.split('?')[0] ?? call.path;
    let url = urlOf(this.s.addr, call);
    for (let hops = 0; ; hops++) {
      const answer = await exchange(await this.s.http(), {
        method: call.method === 'LIST' ? 'GET' : call.method,
        url,
        headers: call.headers,
        json: call.json,
        body: call.body,
        timeout,
        signal: call.signal,
        upload: upload && call.body ? { ...this.s.floor, idleMs: upload.idleMs, onProgress: upload.onProgress } : undefined,
        call: what,
        path,
      });
      if (answer.status >= 300 && answer.status < 400) {
        answer.body.destroy();
        url = redirectTarget({ status: answer.status, location: answer.headers.location, from: url, path, call: what, hops });
        this.s.log.info('following redirect to the active node', { path, location: new URL(url).origin });
        continue;
      }
      if (answer.status >= 400 && !call.allowStatus?.includes(answer.status)) {
        const text = await readText(answer.body, MAX_ERROR_BODY, 'truncate').catch(() => '');
        throw statusError(answer.status, text, what, path, answer.headers['retry-after']);
      }
      return answer;
    }
  }
}

/** `METHOD /v1/path` as messages show a call (never a query, which may hold anything). */
function describe(call: VaultCall): string {
  return `${call.method} /v1/${call.path.split('?')[0]}`;
}

function urlOf(addr: string, call: VaultCall): string {
  const url = `${addr}/v1/${call.path}`;
  return call.method === 'LIST' ? `${url}${url.includes('?') ? '&' : '?'}list=true` : url;
}
