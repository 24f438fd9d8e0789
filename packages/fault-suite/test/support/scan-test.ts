import { keepOutput, keepSecret, outDir } from './ledger';
import { workDirs } from './files';
import { scanForSecrets } from './secret-scan';

/** Adds the last test of a file: no secret recorded so far is in any output or written file. */
export function itLeaksNoSecret(): void {
  it('leaks no secret into any log line, error message or written file', () => {
    const { leaks, secrets, outputs } = scanForSecrets(outDir(), workDirs());
    expect(secrets).toBeGreaterThan(0);
    expect(outputs).toBeGreaterThan(0);
    expect(leaks).toEqual([]);
  });
}

export { keepOutput, keepSecret };
