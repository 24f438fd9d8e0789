import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { workDir } from './files';

/** How a disk fault is made here: a real tmpfs (root with mount rights), or the fallbacks. */
export type VolumeKind = 'tmpfs' | 'ulimit' | 'chmod' | 'not-a-directory';

const mounted: string[] = [];

function tryMount(dir: string, options: string): boolean {
  if (process.getuid?.() !== 0) return false;
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir], { stdio: 'ignore' });
    mounted.push(dir);
    return true;
  } catch {
    return false;
  }
}

/** A folder where writes beyond `kib` KiB fail: a tmpfs of that size (ENOSPC) or, without mount rights, a file-size limit (EFBIG). */
export function fullVolume(kib: number): { dir: string; kind: VolumeKind; node?: string } {
  const dir = workDir('full');
  if (tryMount(dir, `size=${kib}k,mode=0777`)) return { dir, kind: 'tmpfs' };
  const wrapper = join(workDir('ulimit'), 'node-ulimit.sh');
  writeFileSync(wrapper, `#!/bin/sh\nulimit -f ${kib}\nexec "${process.execPath}" "$@"\n`, { mode: 0o755 });
  return { dir, kind: 'ulimit', node: wrapper };
}

/** A folder nothing can be created in: a read-only tmpfs, a 0555 folder (non-root), or a path below a regular file. */
export function unwritableDir(): { dir: string; kind: VolumeKind } {
  const dir = workDir('ro');
  if (tryMount(dir, 'size=64k,mode=0777')) {
    execFileSync('mount', ['-o', 'remount,ro', dir], { stdio: 'ignore' });
    return { dir, kind: 'tmpfs' };
  }
  if (process.getuid?.() !== 0) {
    chmodSync(dir, 0o555);
    return { dir, kind: 'chmod' };
  }
  writeFileSync(join(dir, 'file'), '');
  return { dir: join(dir, 'file'), kind: 'not-a-directory' };
}

/** Unmounts every tmpfs made by this file (afterAll, before the work dirs are removed). */
export function unmountAll(): void {
  for (const dir of mounted.splice(0)) {
    try {
      execFileSync('umount', [dir], { stdio: 'ignore' });
    } catch {
      execFileSync('umount', ['-l', dir], { stdio: 'ignore' });
    }
  }
}

/** Writable copy helper: makes `dir/name` a folder. */
export function subdir(dir: string, name: string): string {
  const p = join(dir, name);
  mkdirSync(p, { recursive: true });
  return p;
}
