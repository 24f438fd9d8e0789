// The floor of a snapshot download: the CPU no implementation can avoid, measured with the usual tools on the same archive.
// Besides the transfer itself (curl's CPU, measured as the peer): sha256 of the archive, inflating it, sha256 of state.bin.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { mustSucceed, timed } from './proc.mjs';

/**
 * Measures `openssl dgst -sha256 <archive>`, `zstd -d --format=gzip -c <archive> > /dev/null` and `openssl dgst -sha256
 * state.bin` (state.bin extracted with tar beforehand, untimed). Resolves with each part's { seconds, cpuSeconds, rssKiB }.
 */
export async function measureFloor(ctx, archive) {
  const opts = { workDir: ctx.work, discardStdout: true };
  const archiveSha = mustSucceed('openssl dgst (archive)', await timed('openssl', ['dgst', '-sha256', archive], opts));
  const inflate = mustSucceed('zstd -d --format=gzip', await timed('zstd', ['-q', '-d', '--format=gzip', '-c', archive], opts));
  const dir = mkdtempSync(join(ctx.work, 'floor-'));
  try {
    execFileSync('tar', ['-xzf', archive, '-C', dir, 'state.bin'], { stdio: 'ignore' });
    const stateSha = mustSucceed('openssl dgst (state.bin)', await timed('openssl', ['dgst', '-sha256', join(dir, 'state.bin')], opts));
    return { archiveSha: part(archiveSha), inflate: part(inflate), stateSha: part(stateSha) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const part = (r) => ({ seconds: r.seconds, cpuSeconds: r.cpuSeconds, rssKiB: r.rssKiB });
