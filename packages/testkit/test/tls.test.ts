import { createServer, request } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createTestPki } from '../src/index';

describe('createTestPki', () => {
  it('makes a server certificate that verifies against its CA and not against another CA', async () => {
    const pki = createTestPki();
    const other = createTestPki('other');
    const server = createServer({ cert: pki.cert, key: pki.key }, (_req, res) => res.end('ok'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    const get = (ca: string) =>
      new Promise<string>((resolve, reject) => {
        request({ host: '127.0.0.1', port, ca }, (res) => res.on('data', (d: Buffer) => resolve(d.toString())).resume()).on('error', reject).end();
      });
    try {
      expect(await get(pki.caCert)).toBe('ok');
      await expect(get(other.caCert)).rejects.toMatchObject({ code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
      pki.remove();
      other.remove();
    }
  });
});
