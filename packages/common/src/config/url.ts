import { registerSecret } from '../log';
import { hasControlCharacter } from './object-key';

/** What a URL variable may hold beyond scheme, host and port. */
export interface UrlRules {
  /** Scheme, host and port only: no path (e.g. a peer address that paths are appended to). */
  originOnly?: boolean;
}

const SCHEME_AUTHORITY = /^([a-z][a-z\d+.-]*):\/\/([^/?#]*)/i;
const HOST_PORT = /^(\[[^\]]*\]|[^:]*)(?::(.*))?$/;

/**
 * Why `value` is not an acceptable http(s) URL, or undefined when it is. The answer never holds
 * the value (it may carry a password). Parsed with WHATWG URL, as Node's HTTP clients do, after
 * the checks that give a clearer reason than "invalid URL".
 */
export function checkHttpUrl(value: string, rules: UrlRules = {}): string | undefined {
  // the WHATWG parser would silently drop surrounding blanks and tabs inside: refuse instead
  if (/\s/.test(value) || hasControlCharacter(value)) return 'must be an http:// or https:// URL without spaces or control characters';
  const head = SCHEME_AUTHORITY.exec(value);
  if (!head?.[1] || !/^https?$/i.test(head[1])) return 'must be an http:// or https:// URL';
  const authority = head[2] ?? '';
  const [, host = '', port] = HOST_PORT.exec(authority.slice(authority.lastIndexOf('@') + 1)) ?? [];
  if (host === '') return 'must name a host (http://host:port)';
  if (port !== undefined && !(/^\d{1,5}$/.test(port) && Number(port) >= 1 && Number(port) <= 65535)) return 'must have a port from 1 to 65535 (or none, for the scheme\'s default)';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'is not a valid URL (check the host name)';
  }
  if (url.search !== '' || url.hash !== '' || value.includes('?') || value.includes('#')) return 'must not have a query (?) or fragment (#)';
  if (rules.originOnly && url.pathname !== '/') return 'must be scheme, host and port only (no path)';
  return undefined;
}

/** Registers the userinfo of a URL as secret values: the password (or a lone user name, often a token), raw and decoded, and the Basic credential made of them. */
export function registerUrlSecrets(value: string): void {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return;
  }
  const secret = url.password !== '' ? url.password : url.username;
  if (secret === '') return;
  const decode = (s: string) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  };
  const user = decode(url.username);
  const password = decode(url.password);
  for (const s of [secret, decode(secret), `${url.username}:${url.password}`, `${user}:${password}`]) registerSecret(s);
  registerSecret(Buffer.from(`${user}:${password}`).toString('base64'));
}
