import { readFile } from 'node:fs/promises';
import { ConfigError, registerSecret } from '@vault-raft-backup/common';

/** A key as Vault's unseal endpoint accepts it: hex or base64 (standard or URL-safe). */
const KEY = /^[A-Za-z0-9+/=_-]{16,}$/;

function fromJson(text: string): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ConfigError(['VAULT_UNSEAL_KEYS: looks like JSON but does not parse']);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigError(['VAULT_UNSEAL_KEYS: JSON must be the object printed by `vault operator init -format=json`']);
  }
  const obj = parsed as Record<string, unknown>;
  // The source root token sits in the same file: never let it reach a log line.
  if (typeof obj.root_token === 'string') registerSecret(obj.root_token);
  for (const field of ['unseal_keys_b64', 'keys_base64', 'unseal_keys_hex', 'keys']) {
    const list = obj[field];
    if (Array.isArray(list) && list.length > 0 && list.every((k) => typeof k === 'string')) return list as string[];
  }
  throw new ConfigError(['VAULT_UNSEAL_KEYS: JSON has no unseal_keys_b64, unseal_keys_hex, keys_base64 or keys list']);
}

function fromLines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}

/**
 * Parses the source cluster's unseal keys: one per line (hex or base64; blank lines and `#`
 * comments ignored) or the JSON of `vault operator init -format=json` / of `PUT sys/init`.
 * Every key is registered as a secret before it is returned.
 * @throws ConfigError (exit 2) when there is no key or a line is not a key.
 */
export function parseUnsealKeys(text: string): string[] {
  const trimmed = text.trim();
  const keys = trimmed.startsWith('{') ? fromJson(trimmed) : fromLines(trimmed);
  for (const k of keys) registerSecret(k);
  if (keys.length === 0) throw new ConfigError(['VAULT_UNSEAL_KEYS: no key found']);
  const bad = keys.findIndex((k) => !KEY.test(k));
  if (bad >= 0) throw new ConfigError([`VAULT_UNSEAL_KEYS: key ${bad + 1} of ${keys.length} is not a hex or base64 unseal key`]);
  return [...new Set(keys)];
}

/**
 * The source keys from VAULT_UNSEAL_KEYS or VAULT_UNSEAL_KEYS_FILE, read only when a restore needs them: the keys
 * Secret is deleted after a restore, and a pod that has nothing to do must not fail on the missing file.
 * @throws ConfigError (exit 2) when the file cannot be read or holds no keys.
 */
export async function loadSourceKeys(config: { VAULT_UNSEAL_KEYS?: string | undefined; VAULT_UNSEAL_KEYS_FILE?: string | undefined }): Promise<string[] | undefined> {
  if (config.VAULT_UNSEAL_KEYS !== undefined) return parseUnsealKeys(config.VAULT_UNSEAL_KEYS);
  const file = config.VAULT_UNSEAL_KEYS_FILE;
  if (file === undefined) return undefined;
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new ConfigError([`VAULT_UNSEAL_KEYS_FILE: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'}): is the Secret with the source cluster's keys mounted?`]);
  }
  return parseUnsealKeys(text);
}
