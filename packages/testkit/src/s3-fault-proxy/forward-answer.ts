import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { S3FaultAction } from './index';
import { BitFlipper } from './bodies';
import { copySourceKey, type RequestInfo, uploadIdOf } from './operations';
import { crawlOut, endlessOut, rawHead } from './slow-io';
import type { StoreClaims } from './store-claims';
import { type StoreLooks, storeHeaders, storeXml, XML_ETAG_OPS } from './store-view';

/** One answer of the real store on its way back to the client. */
export interface Answer {
  req: IncomingMessage;
  res: ServerResponse;
  /** The real store's answer. */
  up: IncomingMessage;
  entry: RequestInfo;
  action: S3FaultAction | undefined;
  looks: StoreLooks;
  claims: StoreClaims;
  /** The ETag the store claims for the body of this PutObject/UploadPart, when it kept other bytes. */
  claimed: string | undefined;
  onUploadId: (uploadId: string) => void;
}

/** The ETag the emulated store claims in this answer, updating what it claims per key. */
function claimOf(a: Answer): string | undefined {
  if ((a.up.statusCode ?? 0) !== 200) return undefined;
  switch (a.entry.op) {
    case 'CompleteMultipartUpload':
      return a.claims.completed(uploadIdOf(a.req), a.entry.key);
    case 'CopyObject':
      return a.claims.copied(copySourceKey(a.req), a.entry.key);
    case 'HeadObject':
    case 'GetObject':
      return a.claims.of(a.entry.key);
    default:
      return a.claimed;
  }
}

async function collect(stream: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Sends the real store's answer as the emulated store gives it (its encryption, its ETags), with the rule's fault applied. */
export async function forwardAnswer(a: Answer): Promise<void> {
  const status = a.up.statusCode ?? 502;
  const claimed = claimOf(a);
  const headers = storeHeaders(a.entry.op, status, a.up.headers, a.looks, claimed);
  let body: Buffer | undefined;
  if (a.entry.op === 'CreateMultipartUpload' || (status === 200 && XML_ETAG_OPS.has(a.entry.op))) {
    // small XML answers: read whole to learn the upload ID, or to show the store's ETag inside
    let xml = (await collect(a.up)).toString('utf8');
    const id = /<UploadId>([^<]+)<\/UploadId>/.exec(xml)?.[1];
    if (id) a.onUploadId(id);
    if (XML_ETAG_OPS.has(a.entry.op)) xml = storeXml(xml, a.looks, a.entry.op === 'UploadPartCopy' ? undefined : claimed);
    body = Buffer.from(xml, 'utf8');
    headers['content-length'] = String(body.length);
  }
  const action = a.action;
  if (action?.kind === 'crawl' && action.side === 'response') {
    const all = a.req.method === 'HEAD' ? Buffer.alloc(0) : (body ?? (await collect(a.up)));
    const head = rawHead(status, headers);
    const socket = a.res.socket as Socket;
    if (action.headAtOnce) socket.write(head);
    crawlOut(socket, action.headAtOnce ? all : Buffer.concat([head, all]), action.bytesPerSecond ?? 1);
    return;
  }
  if (action?.kind === 'endless' && status === 200) {
    a.up.resume();
    endlessOut(a.res, status, headers, action.bytesPerSecond ?? 1024 * 1024);
    return;
  }
  a.res.writeHead(status, headers);
  if (body !== undefined) {
    a.res.end(body);
    return;
  }
  if (action?.kind === 'flip' && action.at === 'read' && status === 200) {
    a.up.pipe(new BitFlipper(action.offset ?? Math.floor(Number(headers['content-length'] ?? 0) / 2))).pipe(a.res);
    return;
  }
  a.up.pipe(a.res);
}
