import { VaultError } from '../src/errors';
import { REDIRECT_PATHS, redirectTarget } from '../src/vault/redirect';

const facts = (over: Partial<Parameters<typeof redirectTarget>[0]>) => ({
  status: 307,
  location: 'http://10.0.0.2:8200/v1/sys/storage/raft/snapshot',
  from: 'http://vault-active:8200/v1/sys/storage/raft/snapshot',
  path: 'sys/storage/raft/snapshot',
  call: 'GET /v1/sys/storage/raft/snapshot',
  hops: 0,
  ...over,
});

function refusal(over: Partial<Parameters<typeof redirectTarget>[0]>): VaultError {
  try {
    redirectTarget(facts(over));
  } catch (err) {
    if (err instanceof VaultError) return err;
    throw err;
  }
  throw new Error('the redirect was allowed');
}

describe('the redirect policy', () => {
  it('follows one 307 of a standby on the two snapshot paths, to another host, keeping path and query', () => {
    expect(REDIRECT_PATHS).toEqual(['sys/storage/raft/snapshot', 'sys/storage/raft/snapshot-force']);
    expect(redirectTarget(facts({}))).toBe('http://10.0.0.2:8200/v1/sys/storage/raft/snapshot');
    expect(redirectTarget(facts({ path: 'sys/storage/raft/snapshot-force', location: 'https://10.0.0.2:8200/v1/sys/storage/raft/snapshot-force?x=1' }))).toBe('https://10.0.0.2:8200/v1/sys/storage/raft/snapshot-force?x=1');
    expect(redirectTarget(facts({ from: 'https://vault:8200/v1/sys/storage/raft/snapshot', location: 'https://10.0.0.2:8200/v1/sys/storage/raft/snapshot' }))).toBe('https://10.0.0.2:8200/v1/sys/storage/raft/snapshot');
  });

  it.each(['auth/approle/login', 'auth/kubernetes/login', 'sys/unseal', 'sys/init', 'auth/token/revoke-self', 'auth/token/lookup-self', 'sys/seal-status', 'sys/leader'])(
    'never follows a 307 on %s: no login credential, unseal key or token leaves by a redirect',
    (path) => {
      const err = refusal({ path, call: `PUT /v1/${path}`, location: `http://10.0.0.2:8200/v1/${path}` });
      expect(err.code).toBe('VAULT_REDIRECT');
      expect(err.message).toBe(`Vault answered 307 on a path a standby forwards rather than redirects: not followed (only sys/storage/raft/snapshot and sys/storage/raft/snapshot-force are): PUT /v1/${path}`);
    },
  );

  it('never follows a redirect from https to http, even on the snapshot paths', () => {
    const err = refusal({ from: 'https://vault:8200/v1/sys/storage/raft/snapshot', location: 'http://evil.example:80/v1/sys/storage/raft/snapshot' });
    expect(err.message).toContain('from https to http://evil.example: not followed');
  });

  it.each([
    ['a second redirect', { hops: 1 }, 'too many redirects'],
    ['a 302', { status: 302 }, 'Vault answered 302, a redirect that is never followed'],
    ['a 308', { status: 308 }, 'Vault answered 308'],
    ['no Location', { location: undefined }, 'without a Location'],
    ['a Location with userinfo', { location: 'http://u:p@10.0.0.2:8200/v1/sys/storage/raft/snapshot' }, 'with userinfo'],
    ['a file: Location', { location: 'file:///etc/passwd' }, 'to a file: address'],
  ])('never follows %s', (_label, over, text) => {
    expect(refusal(over).message).toContain(text);
  });

  it('names no userinfo or path of the Location in its message', () => {
    const err = refusal({ from: 'https://vault:8200/v1/sys/storage/raft/snapshot', location: 'http://evil.example/secret-path?token=abc' });
    expect(err.message).not.toContain('secret-path');
    expect(err.message).not.toContain('abc');
  });
});
