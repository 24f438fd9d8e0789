import { createLogger, registerSecret, withoutUserinfo } from '../src/index';

function capture() {
  const lines: string[] = [];
  return { lines, log: createLogger({ component: 'unit', write: (l) => lines.push(l) }) };
}

describe('logger', () => {
  it('writes one JSON object per line with time, level, msg, component and fields', () => {
    const { lines, log } = capture();
    log.info('uploaded', { bytes: 42 });
    expect(lines).toHaveLength(1);
    expect(lines[0]?.endsWith('\n')).toBe(true);
    const rec = JSON.parse(lines[0] ?? '');
    expect(rec).toMatchObject({ level: 'info', msg: 'uploaded', component: 'unit', bytes: 42 });
    expect(Number.isNaN(Date.parse(rec.time))).toBe(false);
  });

  it('redacts fields whose names say they hold a secret, at any depth', () => {
    const { lines, log } = capture();
    log.info('x', { token: 'abc', nested: { secret_id: 'def', keys_base64: ['k'] }, accessor: 'visible' });
    const rec = JSON.parse(lines[0] ?? '');
    expect(rec.token).toBe('[REDACTED]');
    expect(rec.nested).toEqual({ secret_id: '[REDACTED]', keys_base64: '[REDACTED]' });
    expect(rec.accessor).toBe('visible');
  });

  it('scrubs registered secret values from messages and string fields', () => {
    const { lines, log } = capture();
    registerSecret('hvs.super-secret-value');
    log.error('login failed with hvs.super-secret-value', { detail: 'echo hvs.super-secret-value' });
    expect(lines.join('')).not.toContain('hvs.super-secret-value');
  });

  it('drops lines below the configured level', () => {
    const lines: string[] = [];
    const log = createLogger({ component: 'u', level: 'warn', write: (l) => lines.push(l) });
    log.info('hidden');
    log.warn('shown');
    expect(lines.map((l) => JSON.parse(l).msg)).toEqual(['shown']);
  });
});

describe('URLs in log lines', () => {
  it('never show userinfo, in messages, fields or nested values, whatever the scheme', () => {
    const { lines, log } = capture();
    log.error('cannot reach http://ops:hunter2@vault:8200/v1/sys', { vaultAddr: 'https://tok@vault.example', nested: { peers: ['http://a:b@vault-1:8200'] } });
    const rec = JSON.parse(lines[0] ?? '');
    expect(rec).toMatchObject({ msg: 'cannot reach http://vault:8200/v1/sys', vaultAddr: 'https://vault.example', nested: { peers: ['http://vault-1:8200'] } });
  });

  it('withoutUserinfo leaves URLs without userinfo, s3:// names and e-mail addresses alone', () => {
    for (const text of ['http://vault:8200/v1/x?a=b@c', 's3://bucket/key@2', 'ops@example.com', 'http://[::1]:8200']) expect(withoutUserinfo(text)).toBe(text);
    expect(withoutUserinfo('http://user:p%40ss@vault:8200')).toBe('http://vault:8200');
  });
});
