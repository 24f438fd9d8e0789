import { VaultError } from '../errors';

/**
 * The only paths a Vault standby answers with 307 to the active node (`alwaysRedirectPaths`,
 * internal/http/handler.go); it forwards every other request to the active node itself.
 * None of them carries a secret in its body: login credentials (`auth/<mount>/login`), unseal
 * keys (`sys/unseal`) and the init answer (`sys/init`) are never redirected, by this rule alone.
 */
export const REDIRECT_PATHS: readonly string[] = ['sys/storage/raft/snapshot', 'sys/storage/raft/snapshot-force'];

/** What the redirect policy looks at. */
export interface RedirectFacts {
  status: number;
  location: string | undefined;
  /** URL the request went to. */
  from: string;
  /** Vault path without `/v1/` and without a query. */
  path: string;
  /** `METHOD /v1/path`, for messages. */
  call: string;
  /** Redirects already followed for this call. */
  hops: number;
}

/**
 * The one redirect policy of every Vault call: at most one 307, only on the snapshot paths, only to
 * http(s) without userinfo, and never from https to http (Vault's own client refuses that too:
 * "redirect would cause protocol downgrade", api/client.go). The token goes along: on these paths the
 * redirect leads from a standby to the active node, which needs it.
 * A standby whose forwarding fails also falls back to a 307 for other paths (handler.go `forwardRequest`):
 * that one is refused as well, as such a call may carry credentials.
 * @returns the URL to send the same request to.
 * @throws VaultError VAULT_REDIRECT when the redirect must not be followed.
 */
export function redirectTarget(r: RedirectFacts): string {
  const refuse = (why: string) => new VaultError('VAULT_REDIRECT', `${why}: ${r.call}`, { path: r.path, status: r.status });
  if (r.status !== 307) throw refuse(`Vault answered ${r.status}, a redirect that is never followed (only a standby's 307 on the snapshot paths is)`);
  if (r.hops > 0) throw refuse('too many redirects (only one 307 to the active node is followed)');
  if (!REDIRECT_PATHS.includes(r.path)) throw refuse(`Vault answered 307 on a path a standby forwards rather than redirects: not followed (only ${REDIRECT_PATHS.join(' and ')} are)`);
  if (r.location === undefined || r.location === '') throw refuse('Vault answered 307 without a Location');
  let to: URL;
  try {
    to = new URL(r.location, r.from);
  } catch {
    throw refuse('Vault answered 307 with an unreadable Location');
  }
  if (to.protocol !== 'https:' && to.protocol !== 'http:') throw refuse(`Vault answered 307 to a ${to.protocol} address: not followed`);
  if (to.username !== '' || to.password !== '') throw refuse(`Vault answered 307 to an address with userinfo at ${to.origin}: not followed`);
  if (new URL(r.from).protocol === 'https:' && to.protocol === 'http:') {
    throw refuse(`Vault answered 307 from https to ${to.origin}: not followed, a redirect to plain http would send the token unencrypted (protocol downgrade)`);
  }
  return to.toString();
}
