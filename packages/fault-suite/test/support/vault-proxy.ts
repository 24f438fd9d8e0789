import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A proxy in front of a Vault double that can rewrite JSON answers and sees every response body (to collect init secrets). */
export interface VaultProxy {
  url: string;
  /** Response bodies of `PUT /v1/sys/init` seen so far. */
  initResponses: Record<string, unknown>[];
  close(): Promise<void>;
}

/** Starts the proxy; `rewrite` may change the JSON body of a response to `method path`. */
export async function startVaultProxy(target: string, rewrite?: (method: string, path: string, body: Record<string, unknown>) => Record<string, unknown>): Promise<VaultProxy> {
  const url = new URL(target);
  const initResponses: Record<string, unknown>[] = [];
  const server: Server = createServer((req, res) => {
    const upstream = request({ host: url.hostname, port: url.port, method: req.method, path: req.url, headers: req.headers }, (up) => {
      const chunks: Buffer[] = [];
      up.on('data', (c: Buffer) => chunks.push(c));
      up.on('end', () => {
        let body = Buffer.concat(chunks);
        const path = (req.url ?? '').split('?')[0] ?? '';
        if (String(up.headers['content-type']).includes('json') && body.length > 0) {
          let json = JSON.parse(body.toString()) as Record<string, unknown>;
          if (req.method === 'PUT' && path === '/v1/sys/init') initResponses.push(json);
          if (rewrite) json = rewrite(req.method ?? 'GET', path, json);
          body = Buffer.from(JSON.stringify(json));
        }
        const headers = { ...up.headers, 'content-length': String(body.length) };
        delete headers['transfer-encoding'];
        res.writeHead(up.statusCode ?? 502, headers).end(body);
      });
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    initResponses,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
