import { z } from 'zod';
import { checkObjectKey, ConfigError, count, createLogger, duration, httpUrl, httpUrlList, objectKey, parseEnv, size } from '../src/index';

const MIB = 1024 * 1024;
const spec = {
  schema: z.object({
    ADDR: httpUrl('http://127.0.0.1:8200'),
    PEERS: httpUrlList({ originOnly: true }),
    TIMEOUT: duration('30s'),
    PART: size('8MiB', { min: 5 * MIB, max: 1024 * MIB }),
    RETRIES: count(4),
    QUEUE: count(2, { min: 1, max: 32 }),
    PREFIX: objectKey('prefix').default(''),
    KEY: objectKey('key').optional(),
  }),
};

function problemsOf(env: Record<string, string>): string[] {
  try {
    parseEnv(spec, env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('URL variables', () => {
  it.each([
    ['a port that is not a number', 'http://vault:abc', 'must have a port from 1 to 65535'],
    ['a port above 65535', 'http://vault:99999', 'must have a port from 1 to 65535'],
    ['port 0', 'http://vault:0', 'must have a port from 1 to 65535'],
    ['an empty port', 'http://vault:', 'must have a port from 1 to 65535'],
    ['no host', 'http://:8200', 'must name a host'],
    ['no scheme', 'vault.example:8200', 'must be an http:// or https:// URL'],
    ['another scheme', 'ftp://vault:21', 'must be an http:// or https:// URL'],
    ['a query', 'http://vault:8200?x=1', 'must not have a query'],
    ['a blank', ' http://vault:8200', 'must be an http:// or https:// URL without spaces'],
    ['a bad host name', 'http://va ult:8200', 'must be an http:// or https:// URL without spaces'],
    ['an invalid IPv6 host', 'http://[::zz]:8200', 'is not a valid URL'],
  ])('refuses %s, saying the rule and not the value', (_what, value, rule) => {
    const problems = problemsOf({ ADDR: value });
    expect(problems).toEqual([expect.stringContaining(`ADDR: ${rule}`)]);
    expect(problems.join('')).not.toContain(value.trim());
  });

  it('accepts a host with or without a port, IPv6, a path, and userinfo, without trailing slashes', () => {
    expect(parseEnv(spec, { ADDR: 'https://vault.example.com/' }).ADDR).toBe('https://vault.example.com');
    expect(parseEnv(spec, { ADDR: 'http://[::1]:8200' }).ADDR).toBe('http://[::1]:8200');
    expect(parseEnv(spec, { ADDR: 'https://proxy.example/vault/' }).ADDR).toBe('https://proxy.example/vault');
    expect(parseEnv(spec, { ADDR: 'http://user:pw-in-url-1@vault:8200' }).ADDR).toBe('http://user:pw-in-url-1@vault:8200');
  });

  it('registers the password of a URL as a secret, so no log line shows it, even outside a URL', () => {
    parseEnv(spec, { ADDR: 'http://ops:p%40ss-word-42@vault:8200', PEERS: 'http://peer-token-7788@vault-1:8200' });
    const lines: string[] = [];
    const log = createLogger({ component: 't', write: (l) => lines.push(l) });
    log.error('echoed: p%40ss-word-42 / p@ss-word-42 / peer-token-7788', { basic: Buffer.from('ops:p@ss-word-42').toString('base64') });
    expect(lines.join('')).not.toMatch(/ss-word-42|peer-token-7788/);
    expect(lines.join('')).not.toContain(Buffer.from('ops:p@ss-word-42').toString('base64'));
  });

  it('lists each bad address of a list by position, never by value', () => {
    const problems = problemsOf({ PEERS: 'http://vault-0:8200, vault-1:8200,http://vault-2:99999,http://vault-3:8200/v1' });
    expect(problems).toEqual([
      'PEERS: address 2 of 4 must be an http:// or https:// URL',
      'PEERS: address 3 of 4 must have a port from 1 to 65535 (or none, for the scheme\'s default)',
      'PEERS: address 4 of 4 must be scheme, host and port only (no path)',
    ]);
    expect(parseEnv(spec, { PEERS: ' http://vault-1:8200/ ,,https://vault-2:8200' }).PEERS).toEqual(['http://vault-1:8200', 'https://vault-2:8200']);
  });
});

describe('durations, sizes and counts', () => {
  it.each([
    ['TIMEOUT', '0', 'must be between 1ms and 2147483647ms'],
    ['TIMEOUT', '0.4ms', 'must be between 1ms'],
    ['TIMEOUT', '2147484s', 'must be between 1ms and 2147483647ms'],
    ['TIMEOUT', '99999999999999999999999h', 'must be between 1ms'],
    ['TIMEOUT', 'soon', 'must be a duration like 30s'],
    ['PART', '4GiB', 'must be between 5MiB and 1GiB'],
    ['PART', '1MiB', 'must be between 5MiB and 1GiB'],
    ['PART', '99999999999999999999999', 'must be between 5MiB and 1GiB'],
    ['RETRIES', '100000000000000000000', 'must be a whole number from 0 to 100'],
    ['RETRIES', '1e20', 'must be a whole number from 0 to 100'],
    ['RETRIES', '-1', 'must be a whole number from 0 to 100'],
    ['QUEUE', '0', 'must be a whole number from 1 to 32'],
  ])('%s=%s is refused with the rule, not the value', (name, value, rule) => {
    const problems = problemsOf({ [name]: value });
    expect(problems).toEqual([expect.stringContaining(`${name}: ${rule}`)]);
    expect(problems[0]).not.toContain(value);
  });

  it('accepts the edges of each range', () => {
    const c = parseEnv(spec, { TIMEOUT: '2147483647ms', PART: '1GiB', RETRIES: '100', QUEUE: '32' });
    expect(c).toMatchObject({ TIMEOUT: 2 ** 31 - 1, PART: 1024 * MIB, RETRIES: 100, QUEUE: 32 });
    expect(parseEnv(spec, { TIMEOUT: '1ms', PART: '5MiB', RETRIES: '0', QUEUE: '1' })).toMatchObject({ TIMEOUT: 1, PART: 5 * MIB, RETRIES: 0, QUEUE: 1 });
  });
});

describe('S3 keys and prefixes', () => {
  it.each([
    ['PREFIX', '../other-bucket/', 'must not contain "." or ".." segments'],
    ['PREFIX', 'vault/../../other/', 'must not contain "." or ".." segments'],
    ['PREFIX', './vault/', 'must not contain "." or ".." segments'],
    ['PREFIX', '/vault/', 'must not start with "/"'],
    ['PREFIX', 'vault//prod/', 'must not contain an empty segment'],
    ['PREFIX', 'vault/\nprod/', 'must not contain control characters'],
    ['KEY', '../other/vault.snap', 'must not contain "." or ".." segments'],
    ['KEY', 'prod/..', 'must not contain "." or ".." segments'],
    ['KEY', 'prod/', 'must not contain an empty segment'],
    ['KEY', '/prod/latest.snap', 'must not start with "/"'],
  ])('%s=%j is refused', (name, value, rule) => {
    expect(problemsOf({ [name]: value })).toEqual([expect.stringContaining(`${name}: ${rule}`)]);
  });

  it('accepts the usual forms: empty or folder prefixes, prefixes without a slash, names with dots', () => {
    for (const prefix of ['', 'vault/prod/', 'vault-', 'a.b/..c/', 'v/...x/']) expect(checkObjectKey(prefix, 'prefix')).toBeUndefined();
    for (const key of ['latestbackup.snap', 'prod/.hidden', 'prod/vault..snap']) expect(checkObjectKey(key, 'key')).toBeUndefined();
    expect(checkObjectKey('', 'key')).toBe('must not be empty');
  });
});
