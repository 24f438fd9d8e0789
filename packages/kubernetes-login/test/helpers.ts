import { mkdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Writes a token the way the kubelet's atomic writer fills a projected volume: the data in a
 * timestamped folder, `..data` a symlink to it, `token` a symlink to `..data/token`; a new token
 * replaces the `..data` link in one rename.
 */
export function projectToken(volume: string, token: string, generation: number): string {
  const data = `..2026_12_01_00_00_${String(generation).padStart(2, '0')}.${generation}`;
  mkdirSync(join(volume, data), { recursive: true });
  writeFileSync(join(volume, data, 'token'), token, { mode: 0o644 });
  const link = join(volume, `..data_tmp${generation}`);
  symlinkSync(data, link);
  renameSync(link, join(volume, '..data'));
  rmSync(join(volume, 'token'), { force: true });
  symlinkSync('..data/token', join(volume, 'token'));
  return join(volume, 'token');
}
