import { STATUS_CODES, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { randomStream, snapshotArchiveStream } from '../archive/index';

const TICK_MS = 100;

/** Runs `step` every tick until it returns false or the socket closes. */
function everyTick(socket: Socket, step: () => boolean): void {
  const timer = setInterval(() => {
    if (socket.destroyed || !step()) clearInterval(timer);
  }, TICK_MS);
  socket.once('close', () => clearInterval(timer));
}

/** A raw HTTP/1.1 response head, so that even the status line and headers can be sent slowly. */
export function rawHead(status: number, headers: IncomingHttpHeaders): Buffer {
  const lines = [`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Unknown'}`];
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || name === 'connection' || name === 'keep-alive' || name === 'transfer-encoding') continue;
    for (const v of Array.isArray(value) ? value : [value]) lines.push(`${name}: ${v}`);
  }
  lines.push('connection: close', '', '');
  return Buffer.from(lines.join('\r\n'), 'latin1');
}

/** Writes `data` to the socket at `bytesPerSecond` (at least one byte a second), then closes it. */
export function crawlOut(socket: Socket, data: Buffer, bytesPerSecond: number): void {
  let sent = 0;
  let credit = 0;
  everyTick(socket, () => {
    credit += (bytesPerSecond * TICK_MS) / 1000;
    const n = Math.min(data.length - sent, Math.floor(credit));
    if (n > 0) {
      socket.write(data.subarray(sent, sent + n));
      sent += n;
      credit -= n;
    }
    if (sent < data.length) return true;
    socket.end();
    return false;
  });
}

/** Reads a request body at `bytesPerSecond`, leaving the rest in the socket so the sender is held back. */
export function crawlIn(req: IncomingMessage, bytesPerSecond: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let credit = 0;
    req.pause();
    req.once('error', reject);
    req.socket.once('close', () => reject(new Error('the client closed the connection')));
    everyTick(req.socket, () => {
      credit += (bytesPerSecond * TICK_MS) / 1000;
      const n = Math.floor(credit);
      if (n > 0) {
        // read(n) gives nothing until n bytes are buffered; once the whole body arrived, read() takes the rest
        const chunk = (req.read(n) ?? (req.complete ? req.read() : null)) as Buffer | null;
        if (chunk) {
          chunks.push(chunk);
          credit -= chunk.length;
        }
      }
      if (!req.complete || req.readableLength > 0) return true;
      resolve(Buffer.concat(chunks));
      return false;
    });
  });
}

/**
 * Answers without Content-Length with a body that never ends: the start of a snapshot archive whose
 * state.bin is 1 TiB (valid as far as it goes, so only its length can tell), at `bytesPerSecond`.
 */
export function endlessOut(res: ServerResponse, status: number, headers: IncomingHttpHeaders, bytesPerSecond: number): void {
  const { 'content-length': _length, ...rest } = headers;
  res.writeHead(status, rest);
  const size = 2 ** 40;
  const body = snapshotArchiveStream({ meta: { index: 1, term: 1 }, state: { size, stream: () => randomStream(size, 'endless') } });
  let credit = 0;
  res.once('close', () => body.destroy());
  everyTick(res.socket as Socket, () => {
    credit += (bytesPerSecond * TICK_MS) / 1000;
    const chunk = credit >= 1 ? (body.read(Math.min(Math.floor(credit), body.readableLength || 1)) as Buffer | null) : null;
    if (chunk) {
      res.write(chunk);
      credit -= chunk.length;
    }
    return true;
  });
}
