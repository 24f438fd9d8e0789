import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

const AUTH = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/;

function rfc3986(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function canonicalQuery(search: string): string {
  if (search === '') return '';
  const pairs = search
    .slice(1)
    .split('&')
    .filter((p) => p !== '')
    .map((p) => {
      const at = p.indexOf('=');
      const k = decodeURIComponent(at < 0 ? p : p.slice(0, at));
      const v = at < 0 ? '' : decodeURIComponent(p.slice(at + 1).replace(/\+/g, '%20'));
      return [rfc3986(k), rfc3986(v)] as const;
    });
  pairs.sort((a, b) => (a[0] === b[0] ? (a[1] < b[1] ? -1 : 1) : a[0] < b[0] ? -1 : 1));
  return pairs.map(([k, v]) => `${k}=${v}`).join('&');
}

function headerValue(req: IncomingMessage, name: string): string {
  const v = req.headers[name];
  const text = Array.isArray(v) ? v.join(',') : (v ?? '');
  return text.trim().replace(/\s+/g, ' ');
}

const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data).digest();

/**
 * Checks the SigV4 header signature of a request against a secret key, as S3 does.
 * Returns why it does not match, or undefined when it does.
 */
export function signatureProblem(req: IncomingMessage, secretAccessKey: string): string | undefined {
  const m = AUTH.exec(headerValue(req, 'authorization'));
  if (!m) return 'no AWS4-HMAC-SHA256 Authorization header';
  const [, , date = '', region = '', service = '', signed = '', signature = ''] = m;
  const url = new URL(req.url ?? '/', 'http://proxy.invalid');
  const names = signed.split(';');
  const canonical = [
    req.method ?? 'GET',
    url.pathname,
    canonicalQuery(url.search),
    ...names.map((n) => `${n}:${headerValue(req, n)}`),
    '',
    signed,
    headerValue(req, 'x-amz-content-sha256') || 'UNSIGNED-PAYLOAD',
  ].join('\n');
  const scope = `${date}/${region}/${service}/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', headerValue(req, 'x-amz-date'), scope, createHash('sha256').update(canonical).digest('hex')].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${secretAccessKey}`, date), region), service), 'aws4_request');
  const expected = hmac(key, toSign);
  const given = Buffer.from(signature, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected) ? undefined : 'signature does not match';
}
