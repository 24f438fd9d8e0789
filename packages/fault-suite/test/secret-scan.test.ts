import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scanForSecrets } from './support/secret-scan';

describe('the secret scan itself', () => {
  let out: string;
  let files: string;
  beforeEach(() => {
    out = mkdtempSync(join(tmpdir(), 'scan-out-'));
    files = mkdtempSync(join(tmpdir(), 'scan-files-'));
    mkdirSync(join(out, 'outputs'));
  });
  afterEach(() => {
    rmSync(out, { recursive: true, force: true });
    rmSync(files, { recursive: true, force: true });
  });

  const record = (kind: string, value: string, intendedFile?: string) => appendFileSync(join(out, 'secrets.jsonl'), `${JSON.stringify({ kind, value, intendedFile })}\n`);

  it('finds a recorded secret in a kept output and names its kind, never its value', () => {
    record('vault token', 'hvs.planted-token-value');
    writeFileSync(join(out, 'outputs', 'a.txt'), '# snapshot-taker\n{"msg":"oops hvs.planted-token-value"}\n');
    const { leaks } = scanForSecrets(out);
    expect(leaks).toEqual([{ kind: 'vault token', where: 'output of snapshot-taker (a.txt)' }]);
    expect(JSON.stringify(leaks)).not.toContain('planted');
  });

  it('allows a secret in its intended file only', () => {
    const tokenFile = join(files, 'token');
    record('vault token', 'hvs.intended-token-value', tokenFile);
    writeFileSync(tokenFile, 'hvs.intended-token-value');
    writeFileSync(join(files, 'report.json'), '{"token":"hvs.intended-token-value"}');
    const { leaks, files: scanned } = scanForSecrets(out, [files]);
    expect(scanned).toBe(2);
    expect(leaks).toEqual([{ kind: 'vault token', where: `file ${join(files, 'report.json')}` }]);
  });
});
