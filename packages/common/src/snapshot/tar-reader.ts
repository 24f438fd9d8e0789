import { incomplete, invalid } from './snapshot-error';
import { BLOCK, isZeroBlock, parseHeader, parsePax } from './tar-header';

/** Receives the regular files of a tar stream; any method may throw to stop reading. */
export interface TarEntrySink {
  onEntry(name: string, size: number): void;
  onData(chunk: Buffer): void;
  onEntryEnd(): void;
}

/** Extended headers (pax, GNU long name) are small; anything bigger is not a snapshot. */
const MAX_EXTENDED = 64 * 1024;

type Mode = 'header' | 'body' | 'extended' | 'skip' | 'end';

/** A small streaming tar reader: ustar, GNU long names and base-256 sizes, pax path/size; no buffering of bodies. */
export class TarReader {
  private mode: Mode = 'header';
  private readonly block = Buffer.alloc(BLOCK);
  private fill = 0;
  private remaining = 0;
  private extended: { type: string; body: Buffer; fill: number } | undefined;
  private override: { path?: string; size?: number } = {};
  private zeroBlocks = 0;
  private padding = 0;
  private headerStart = 0;
  /** Tar bytes consumed so far. */
  offset = 0;

  constructor(private readonly sink: TarEntrySink) {}

  /** Feeds the next bytes of the tar stream. @throws SnapshotError on malformed input. */
  write(chunk: Buffer): void {
    let pos = 0;
    while (pos < chunk.length) {
      const n = this.step(chunk, pos);
      pos += n;
      this.offset += n;
    }
  }

  /** The tar stream ended. @throws SnapshotError SNAPSHOT_INCOMPLETE when it stops inside the archive. */
  end(): void {
    if (this.mode === 'end' || this.offset === 0) return;
    if (this.mode === 'header' && this.fill === 0 && this.zeroBlocks === 1) return;
    throw incomplete(`unexpected end of snapshot (truncated?): tar archive stops at offset ${this.offset}`);
  }

  private step(chunk: Buffer, pos: number): number {
    const available = chunk.length - pos;
    switch (this.mode) {
      case 'header': {
        if (this.fill === 0) this.headerStart = this.offset;
        const n = Math.min(BLOCK - this.fill, available);
        chunk.copy(this.block, this.fill, pos, pos + n);
        this.fill += n;
        if (this.fill === BLOCK) {
          this.fill = 0;
          this.onHeaderBlock();
        }
        return n;
      }
      case 'body': {
        const n = Math.min(this.remaining, available);
        this.sink.onData(n === chunk.length ? chunk : chunk.subarray(pos, pos + n));
        this.remaining -= n;
        if (this.remaining === 0) this.finishBody(() => this.sink.onEntryEnd());
        return n;
      }
      case 'extended':
        return this.stepExtended(chunk, pos, available);
      case 'skip': {
        const n = Math.min(this.remaining, available);
        this.remaining -= n;
        if (this.remaining === 0) this.mode = 'header';
        return n;
      }
      case 'end':
        return this.stepAfterEnd(chunk, pos);
    }
  }

  private stepExtended(chunk: Buffer, pos: number, available: number): number {
    const ext = this.extended;
    if (ext === undefined) throw new Error('tar reader: extended header state lost');
    const n = Math.min(ext.body.length - ext.fill, available);
    chunk.copy(ext.body, ext.fill, pos, pos + n);
    ext.fill += n;
    if (ext.fill === ext.body.length) this.finishBody(() => this.applyExtended(ext.type, ext.body));
    return n;
  }

  private stepAfterEnd(chunk: Buffer, pos: number): number {
    for (let i = pos; i < chunk.length; i++) {
      if (chunk[i] !== 0) throw invalid(`unexpected data after the end of the tar archive at offset ${this.offset + i - pos}`);
    }
    return chunk.length - pos;
  }

  private finishBody(then: () => void): void {
    then();
    this.remaining = this.padding;
    this.mode = this.remaining === 0 ? 'header' : 'skip';
  }

  private onHeaderBlock(): void {
    const headerOffset = this.headerStart;
    if (isZeroBlock(this.block)) {
      this.zeroBlocks++;
      if (this.zeroBlocks === 2) this.mode = 'end';
      return;
    }
    if (this.zeroBlocks > 0) throw invalid(`snapshot is not a valid tar archive: data after a zero block at offset ${headerOffset}`);
    const header = parseHeader(this.block, headerOffset);
    const size = this.override.size ?? header.size;
    this.padding = (BLOCK - (size % BLOCK)) % BLOCK;
    if (header.type === 'x' || header.type === 'g' || header.type === 'L' || header.type === 'K') {
      this.startExtended(header.type, size, headerOffset);
    } else {
      this.startEntry(this.override.path ?? header.name, size, header.type);
    }
  }

  private startExtended(type: string, size: number, headerOffset: number): void {
    if (size > MAX_EXTENDED) throw invalid(`snapshot is not a valid tar archive: extended header of ${size} bytes at offset ${headerOffset}`);
    this.extended = { type, body: Buffer.alloc(size), fill: 0 };
    this.mode = 'extended';
    if (size === 0) this.finishBody(() => this.applyExtended(type, Buffer.alloc(0)));
  }

  private applyExtended(type: string, body: Buffer): void {
    this.extended = undefined;
    if (type === 'x') this.override = { ...this.override, ...parsePax(body, this.offset) };
    if (type === 'L') this.override = { ...this.override, path: body.toString('utf8').replace(/\0+$/, '') };
  }

  private startEntry(name: string, size: number, type: string): void {
    this.override = {};
    if (type !== '0' && type !== '7') throw invalid(`unexpected file ${JSON.stringify(name)} in snapshot (tar entry type ${JSON.stringify(type)})`);
    this.sink.onEntry(name, size);
    this.remaining = size;
    this.mode = 'body';
    if (size === 0) this.finishBody(() => this.sink.onEntryEnd());
  }
}
