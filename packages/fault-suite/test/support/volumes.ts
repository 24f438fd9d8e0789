import { execFileSync } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
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

/** A folder where writes beyond `kib` KiB fail, and the node binary to run the bundle with. */
export interface FullVolume {
  dir: string;
  kind: VolumeKind;
  node?: string;
}

/** Every way to fill a volume here: a tmpfs of `kib` KiB (ENOSPC, root with mount rights) and always a file-size limit (EFBIG). */
export function fullVolumes(kib: number): FullVolume[] {
  const out: FullVolume[] = [];
  const dir = workDir('full');
  if (tryMount(dir, `size=${kib}k,mode=0777`)) out.push({ dir, kind: 'tmpfs' });
  const wrapper = join(workDir('ulimit'), 'node-ulimit.sh');
  writeFileSync(wrapper, `#!/bin/sh\nulimit -f ${kib}\nexec "${process.execPath}" "$@"\n`, { mode: 0o755 });
  out.push({ dir: workDir('limited'), kind: 'ulimit', node: wrapper });
  return out;
}

/** Every way to make a folder unwritable here: a read-only tmpfs (root with mount rights), a 0555 folder (non-root), and always a path below a regular file. */
export function unwritableDirs(): { dir: string; kind: VolumeKind }[] {
  const out: { dir: string; kind: VolumeKind }[] = [];
  const ro = workDir('ro');
  if (tryMount(ro, 'size=64k,mode=0777')) {
    execFileSync('mount', ['-o', 'remount,ro', ro], { stdio: 'ignore' });
    out.push({ dir: ro, kind: 'tmpfs' });
  }
  if (process.getuid?.() !== 0) {
    const locked = workDir('locked');
    chmodSync(locked, 0o555);
    out.push({ dir: locked, kind: 'chmod' });
  }
  const parent = workDir('notdir');
  writeFileSync(join(parent, 'file'), '');
  out.push({ dir: join(parent, 'file'), kind: 'not-a-directory' });
  return out;
}

const ERRNO: Record<VolumeKind, string> = { tmpfs: 'ENOSPC or EROFS', ulimit: 'EFBIG', chmod: 'EACCES', 'not-a-directory': 'ENOTDIR' };

/** How a list of volumes was made, for the ledger. */
export function describeVolumes(volumes: { kind: VolumeKind }[]): string {
  return volumes.map((v) => `${v.kind} (${ERRNO[v.kind]})`).join(', ');
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
