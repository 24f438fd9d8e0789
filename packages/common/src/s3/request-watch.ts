import type { ClientRequest, IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { formatBytes, formatMs } from '../config/fields';
import { guardTransfer, type SpeedFloor, type TransferFailure, type TransferGuard } from '../transfer-guard';

/** How often the connection's byte counters are read. */
const SAMPLE_MS = 250;

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

type Phase = 'sending the request' | 'receiving the answer';

/**
 * Holds one request to the speed floor, reading its connection's byte counters into a transfer
 * guard. The floor applies while bytes are meant to flow: while the request is sent, and while the
 * answer arrives (head and body), except the body of a request the store works on (above) and
 * except while our own reader is behind. It does not apply while the store has not started to
 * answer: a silent connection is what S3_SOCKET_TIMEOUT ends.
 */
export class RequestWatch {
  private socket: Socket | undefined;
  private res: IncomingMessage | undefined;
  private readWhenSent: number | undefined;
  private readonly works: boolean;
  /** The guard of the current stretch in which the floor applies, and the bytes moved before it. */
  private guarded: { guard: TransferGuard; base: number; phase: Phase } | undefined;

  constructor(
    private readonly req: ClientRequest,
    private readonly floor: SpeedFloor,
  ) {
    this.works = storeWorks(req);
    const timer = setInterval(() => this.sample(), SAMPLE_MS).unref();
    req.once('close', () => {
      clearInterval(timer);
      this.unguard();
    });
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
  private phase(socket: Socket): Phase | undefined {
    if (this.readWhenSent === undefined) return 'sending the request';
    if (this.res === undefined) return socket.bytesRead > this.readWhenSent ? 'receiving the answer' : undefined;
    if (this.works || this.res.readableLength >= this.res.readableHighWaterMark) return undefined;
    return 'receiving the answer';
  }

  private sample(): void {
    const socket = this.socket;
    const phase = socket && !socket.destroyed ? this.phase(socket) : undefined;
    if (socket === undefined || phase === undefined) {
      this.unguard();
      return;
    }
    if (this.guarded === undefined) {
      // a fresh window each time the floor applies again; only the floor: silence is the socket timeout's
      const guard = guardTransfer({ ...this.floor, idleMs: Number.POSITIVE_INFINITY }, (why) => this.trip(why));
      this.guarded = { guard, base: moved(socket), phase };
    }
    this.guarded.phase = phase;
    this.guarded.guard.progress(moved(socket) - this.guarded.base);
  }

  private unguard(): void {
    this.guarded?.guard.stop();
    this.guarded = undefined;
  }

  private trip(why: TransferFailure): void {
    const { minBytesPerSecond, windowMs } = this.floor;
    const bytes = why.kind === 'slow' ? why.movedBytes : 0;
    const err = new S3TooSlowError(
      `S3 transfer below the speed floor while ${this.guarded?.phase ?? 'transferring'}: ${bytes} bytes in the last ${formatMs(windowMs)} (S3_TRANSFER_MIN_SPEED ${formatBytes(minBytesPerSecond)}/s over S3_TRANSFER_SPEED_TIME ${formatMs(windowMs)})`,
    );
    this.guarded = undefined;
    this.res?.destroy(err);
    this.req.destroy(err);
  }
}
