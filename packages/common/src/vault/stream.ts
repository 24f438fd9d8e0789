import type { OpenedStream, VaultClient } from './client';

export interface OpenStreamOptions {
  signal?: AbortSignal | undefined;
  /** Abort when no byte arrives for this long (a stalled stream). */
  stallMs: number;
  /** Time allowed until the first byte (the response head) arrives. */
  firstByteMs: number;
}

/**
 * Opens a streamed GET of `/v1/<path>` (the raft snapshot) through the client's transport: retried until the
 * first byte, one 307 to the active node followed, ended when it stalls or crawls below the speed floor.
 * @throws VaultError for error statuses (403, 503 sealed, ...), a redirect not followed, or an unreachable Vault.
 */
export function openVaultStream(client: VaultClient, path: string, opts: OpenStreamOptions): Promise<OpenedStream> {
  return client.openStream(path, { signal: opts.signal, firstByteMs: opts.firstByteMs, idleMs: opts.stallMs });
}
