import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAtomicFile, writeFileAtomic } from '../src/index';

describe('atomic files below a path that is not a folder', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'atomic-'));
    writeFileSync(join(dir, 'file'), '');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writeFileAtomic fails with FILE_IO naming the file, not with the cleanup error', async () => {
    const target = join(dir, 'file', 'token');
    await expect(writeFileAtomic(target, 'x')).rejects.toMatchObject({ code: 'FILE_IO', message: `cannot write ${target}` });
  });

  it('discard after a failed open resolves, so the original error reaches the caller', async () => {
    const file = createAtomicFile(join(dir, 'file', 'vault.snap'));
    const opened = new Promise((resolve) => file.stream.once('error', resolve));
    expect(await opened).toMatchObject({ code: 'ENOTDIR' });
    await expect(file.discard()).resolves.toBeUndefined();
  });
});
