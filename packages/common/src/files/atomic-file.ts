import { randomBytes } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { chmod, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { AppError } from '../errors';

/** Marker in temp names, so leftovers of a killed run can be recognised and removed. */
export const TEMP_MARKER = '.partial-';

/** A file being written under a temporary name in the same directory; visible at `path` only after commit. */
export interface AtomicFile {
  readonly path: string;
  readonly tempPath: string;
  readonly stream: WriteStream;
  /** fsyncs nothing extra: rename is atomic on one filesystem, which is what readers need. */
  commit(): Promise<void>;
  /** Removes the temp file; safe to call twice or after commit. */
  discard(): Promise<void>;
}

function tempNameFor(path: string): string {
  return join(dirname(path), `.${basename(path)}${TEMP_MARKER}${randomBytes(4).toString('hex')}`);
}

/** Opens `path` for atomic writing (temp name + rename), with the given mode. */
export function createAtomicFile(path: string, mode = 0o600): AtomicFile {
  const tempPath = tempNameFor(path);
  const stream = createWriteStream(tempPath, { mode, flags: 'wx', highWaterMark: 1024 * 1024 });
  let done = false;
  return {
    path,
    tempPath,
    stream,
    async commit() {
      try {
        await rename(tempPath, path);
        done = true;
      } catch (cause) {
        throw new AppError('FILE_IO', `cannot move ${tempPath} to ${path}`, { cause });
      }
    },
    async discard() {
      if (done) return;
      stream.destroy();
      // a cleanup failure (e.g. ENOTDIR when the folder never existed) must not hide the error that led here
      await rm(tempPath, { force: true }).catch(() => undefined);
      done = true;
    },
  };
}

/** Writes a small file atomically with the given mode (default 0600). @throws AppError FILE_IO */
export async function writeFileAtomic(path: string, data: string | Buffer, mode = 0o600): Promise<void> {
  const tempPath = tempNameFor(path);
  try {
    await writeFile(tempPath, data, { mode, flag: 'wx' });
    await chmod(tempPath, mode);
    await rename(tempPath, path);
  } catch (cause) {
    await rm(tempPath, { force: true }).catch(() => undefined);
    throw new AppError('FILE_IO', `cannot write ${path}`, { cause });
  }
}

/** Removes temp files a killed earlier run left next to `path`; returns their names. */
export async function removeStaleTempFiles(path: string): Promise<string[]> {
  const prefix = `.${basename(path)}${TEMP_MARKER}`;
  const dir = dirname(path);
  const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => n.startsWith(prefix));
  await Promise.all(names.map((n) => rm(join(dir, n), { force: true })));
  return names;
}
