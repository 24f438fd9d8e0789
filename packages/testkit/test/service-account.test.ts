import { createPublicKey, verify } from 'node:crypto';
import { createServiceAccountIssuer } from '../src/index';

function decode(token: string): { header: Record<string, unknown>; claims: Record<string, unknown> } {
  const [head = '', body = ''] = token.split('.');
  return { header: JSON.parse(Buffer.from(head, 'base64url').toString()), claims: JSON.parse(Buffer.from(body, 'base64url').toString()) };
}

describe('the ServiceAccount token issuer', () => {
  it('mints the claims a projected token carries: sub, kubernetes.io namespace and names, aud, iat = nbf, exp = iat + expirationSeconds', () => {
    const token = createServiceAccountIssuer().mint({ namespace: 'backup', serviceAccount: 'vault-raft-backup', audience: 'vault', issuedAt: 1_700_000_000, expiresInSeconds: 600 });

    const { header, claims } = decode(token);

    expect(header).toMatchObject({ alg: 'RS256', kid: expect.any(String) });
    expect(claims).toMatchObject({
      sub: 'system:serviceaccount:backup:vault-raft-backup',
      aud: ['vault'],
      iat: 1_700_000_000,
      nbf: 1_700_000_000,
      exp: 1_700_000_600,
      'kubernetes.io': { namespace: 'backup', serviceaccount: { name: 'vault-raft-backup', uid: expect.any(String) }, pod: { name: expect.any(String), uid: expect.any(String) } },
    });
  });

  it.each(['RS256', 'ES256'] as const)('signs %s tokens that verify with the published public key', (alg) => {
    const issuer = createServiceAccountIssuer(alg);
    const [head, body, sig = ''] = issuer.mint({ namespace: 'n', serviceAccount: 's' }).split('.');
    const key = createPublicKey(issuer.publicKeyPem);

    const valid = verify('sha256', Buffer.from(`${head}.${body}`), alg === 'ES256' ? { key, dsaEncoding: 'ieee-p1363' } : key, Buffer.from(sig, 'base64url'));

    expect(valid).toBe(true);
    expect(createServiceAccountIssuer(alg).publicKeyPem).not.toBe(issuer.publicKeyPem);
  });

  it('drops and overrides claims on request', () => {
    const { claims } = decode(createServiceAccountIssuer('ES256').mint({ namespace: 'n', serviceAccount: 's', omit: ['exp', 'aud'], extra: { iss: 'https://oidc.example' } }));

    expect(claims.exp).toBeUndefined();
    expect(claims.aud).toBeUndefined();
    expect(claims.iss).toBe('https://oidc.example');
  });
});
