import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { bool, ConfigError, count, duration, httpUrl, knownEnvNames, parseEnv, renderHelp, required, requiredEnvNames, size } from '../src/index';

const spec = {
  schema: z.object({
    VAULT_ADDR: httpUrl('http://127.0.0.1:8200').describe('Vault address'),
    VAULT_TOKEN: required('token').describe('token'),
    FLAG: bool(false).describe('a flag'),
    TIMEOUT: duration('30s').describe('timeout'),
    PART: size('16MiB', { min: 1024 * 1024, max: 1024 ** 3 }).describe('part size'),
    RETAIN: count(0).describe('how many'),
  }),
  fileVars: ['VAULT_TOKEN'],
  secrets: ['VAULT_TOKEN'],
};

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('parseEnv', () => {
  it('applies defaults and converts units', () => {
    const c = parseEnv(spec, { VAULT_TOKEN: 'hvs.x' });
    expect(c).toEqual({ VAULT_ADDR: 'http://127.0.0.1:8200', VAULT_TOKEN: 'hvs.x', FLAG: false, TIMEOUT: 30_000, PART: 16 * 1024 * 1024, RETAIN: 0 });
  });

  it('reads NAME_FILE and trims it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    writeFileSync(join(dir, 't'), 'hvs.fromfile\n');
    expect(parseEnv(spec, { VAULT_TOKEN_FILE: join(dir, 't') }).VAULT_TOKEN).toBe('hvs.fromfile');
  });

  it('when several values are wrong, it lists every problem at once', () => {
    const problems = problemsOf(() => parseEnv(spec, { VAULT_ADDR: 'ftp://x', FLAG: 'yes', TIMEOUT: 'soon', PART: '1 lot', RETAIN: '-1' }));
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual(['FLAG', 'PART', 'RETAIN', 'TIMEOUT', 'VAULT_ADDR', 'VAULT_TOKEN']);
    expect(problems).toContain('VAULT_TOKEN: is required');
  });

  it('rejects NAME and NAME_FILE together, and unreadable files', () => {
    expect(problemsOf(() => parseEnv(spec, { VAULT_TOKEN: 'a', VAULT_TOKEN_FILE: '/x' }))).toContain('VAULT_TOKEN and VAULT_TOKEN_FILE are both set: use one');
    expect(problemsOf(() => parseEnv(spec, { VAULT_TOKEN_FILE: '/nonexistent/t' }))[0]).toMatch(/cannot read \/nonexistent\/t \(ENOENT\)/);
  });

  it('treats booleans strictly', () => {
    expect(parseEnv(spec, { VAULT_TOKEN: 'x', FLAG: 'true' }).FLAG).toBe(true);
    expect(problemsOf(() => parseEnv(spec, { VAULT_TOKEN: 'x', FLAG: '1' }))[0]).toMatch(/FLAG: must be "true" or "false"/);
  });

  it('knows its names, required names and renders a help table', () => {
    expect(knownEnvNames(spec)).toContain('VAULT_TOKEN_FILE');
    expect(requiredEnvNames(spec)).toEqual(['VAULT_TOKEN']);
    const help = renderHelp('x', 'does x', spec);
    expect(help).toMatch(/VAULT_ADDR\s+http:\/\/127\.0\.0\.1:8200\s+Vault address/);
    expect(help).toMatch(/VAULT_TOKEN \(or VAULT_TOKEN_FILE\)\s+\(required\)/);
    expect(help).toMatch(/TIMEOUT\s+30s/);
  });
});
