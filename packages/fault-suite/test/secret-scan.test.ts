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

  it('finds a URL with userinfo in an output or a file even when no test recorded it', () => {
    writeFileSync(join(out, 'outputs', 'b.txt'), '# restore-runner\n{"msg":"node unsealed","vaultAddr":"http://ops:unrecorded@vault-1:8200"}\n');
    writeFileSync(join(files, 'report.json'), '{"vault":{"addr":"https://tok@vault:8200"}}');
    writeFileSync(join(files, 'clean.json'), '{"addr":"http://vault:8200","mail":"ops@example.com","s3":"s3://b/k@1"}');
    const { leaks } = scanForSecrets(out, [files]);
    expect(leaks).toEqual([
      { kind: 'URL userinfo', where: 'output of restore-runner (b.txt)' },
      { kind: 'URL userinfo', where: `file ${join(files, 'report.json')}` },
    ]);
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
