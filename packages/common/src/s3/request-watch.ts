import type { ClientRequest, IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { formatBytes, formatMs } from '../config/fields';
import { type SpeedFloor, SpeedWindow } from './speed-window';

const SAMPLE_MS = 1000;

/**
 * A request ended by the speed floor. Its name and code are those of a socket timeout, so the SDK
 * retries it like one (a fresh connection may be faster) and `toS3Error` reports `S3_TIMEOUT`.
 */
export class S3TooSlowError extends Error {
  override readonly name = 'TimeoutError';
  readonly code = 'ETIMEDOUT';
}

/**
 * CopyObject, UploadPartCopy and CompleteMultipartUpload: the store works on the object before and
 * while it answers. S3 sends the 200 head early and then keeps the connection alive with spaces
 * until it is done (S3 API reference, CompleteMultipartUpload), which a byte floor cannot tell from a crawl.
 */
function storeWorks(req: ClientRequest): boolean {
  return (req.method === 'PUT' && req.getHeader('x-amz-copy-source') !== undefined) || (req.method === 'POST' && /[?&]uploadId=/.test(req.path));
}

/** Bytes this socket moved so far, both ways; written bytes only once the kernel took them. */
function moved(socket: Socket): number {
  return socket.bytesRead + (socket.bytesWritten ?? 0) - socket.writableLength;
}

/**
 * Holds one request to the speed floor, sampling its connection every second. The floor applies
 * while bytes are meant to flow: while the request is sent, and while the answer arrives (head and
 * body), except the body of a request the store works on (above) and except while our own reader
 * is behind. It does not apply while the store has not started to answer: a silent connection is
 * what S3_SOCKET_TIMEOUT ends.
 */
export class RequestWatch {
  private socket: Socket | undefined;
  private res: IncomingMessage | undefined;
  private readWhenSent: number | undefined;
  private readonly window: SpeedWindow;
  private readonly works: boolean;

  constructor(
    private readonly req: ClientRequest,
    private readonly floor: SpeedFloor,
  ) {
    this.window = new SpeedWindow(floor);
    this.works = storeWorks(req);
    const timer = setInterval(() => this.sample(), SAMPLE_MS).unref();
    req.once('close', () => clearInterval(timer));
    req.once('finish', () => {
      this.readWhenSent = req.socket?.bytesRead ?? 0;
    });
    req.once('response', (res: IncomingMessage) => {
      this.res = res;
    });
    req.once('socket', (socket: Socket) => {
      const connected = () => {
        this.socket = socket;
      };
      if (socket.connecting) socket.once('connect', connected);
      else connected();
    });
  }

  /** What the request is doing, when the floor applies to it. */
  private phase(socket: Socket): 'sending the request' | 'receiving the answer' | undefined {
    if (this.readWhenSent === undefined) return 'sending the request';
    if (this.res === undefined) return socket.bytesRead > this.readWhenSent ? 'receiving the answer' : undefined;
    if (this.works || this.res.readableLength >= this.res.readableHighWaterMark) return undefined;
    return 'receiving the answer';
  }

  private sample(): void {
    const socket = this.socket;
    const phase = socket && !socket.destroyed ? this.phase(socket) : undefined;
    if (socket === undefined || phase === undefined) {
      this.window.reset();
      return;
    }
    const short = this.window.add(Date.now(), moved(socket));
    if (short) this.trip(phase, short.bytes, short.ms);
  }

  private trip(phase: string, bytes: number, ms: number): void {
    const { bytesPerSecond, windowMs } = this.floor;
    const err = new S3TooSlowError(
      `S3 transfer below the speed floor while ${phase}: ${bytes} bytes in ${formatMs(Math.round(ms / 1000) * 1000)} (S3_LOW_SPEED_LIMIT ${formatBytes(bytesPerSecond)}/s over S3_LOW_SPEED_TIME ${formatMs(windowMs)})`,
    );
    this.res?.destroy(err);
    this.req.destroy(err);
  }
}
