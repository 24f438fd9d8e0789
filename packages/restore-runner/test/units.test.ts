import { ConfigError, decideRestorePod, parseEnv, scrub } from '@vault-raft-backup/common';
import { spec } from '../src/config';
import { parseUnsealKeys } from '../src/keys-file';
import { initRequest, isAutoUnseal } from '../src/vault-node';

const HEX_A = 'a'.repeat(64);
const HEX_B = 'b'.repeat(64);
const B64_A = Buffer.alloc(32, 1).toString('base64');

describe('unseal keys file', () => {
  test('one key per line, ignoring blank lines and # comments', () => {
    const keys = parseUnsealKeys(`# source cluster\n${HEX_A}\n\n  ${HEX_B}  \n`);
    expect(keys).toEqual([HEX_A, HEX_B]);
  });

  test('the JSON of vault operator init -format=json gives the base64 keys and hides the root token', () => {
    const json = JSON.stringify({ unseal_keys_b64: [B64_A], unseal_keys_hex: [HEX_A], unseal_shares: 1, unseal_threshold: 1, root_token: 'hvs.sourceroottoken' });
    expect(parseUnsealKeys(json)).toEqual([B64_A]);
    expect(scrub(`token hvs.sourceroottoken and key ${B64_A}`)).not.toMatch(/hvs\.sourceroottoken|AQEBAQ/);
  });

  test('the JSON of the init API (keys / keys_base64) is accepted too', () => {
    expect(parseUnsealKeys(JSON.stringify({ keys: [HEX_A], keys_base64: [B64_A], root_token: 'hvs.x1234' }))).toEqual([B64_A]);
    expect(parseUnsealKeys(JSON.stringify({ keys: [HEX_B] }))).toEqual([HEX_B]);
  });

  test('a file without keys or with a line that is no key is a configuration error naming the line number, not the value', () => {
    expect(() => parseUnsealKeys('# nothing here\n')).toThrow(ConfigError);
    expect(() => parseUnsealKeys(JSON.stringify({ root_token: 'x' }))).toThrow(/no unseal_keys_b64/);
    let message = '';
    try {
      parseUnsealKeys(`${HEX_A}\nnot a key!\n`);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/key 2 of 2 is not a hex or base64 unseal key/);
    expect(message).not.toContain(HEX_A);
  });

  test('every parsed key is scrubbed from log text', () => {
    parseUnsealKeys(`${HEX_B}\n`);
    expect(scrub(`unsealing with ${HEX_B}`)).toBe('unsealing with [REDACTED]');
  });
});

describe('restore pod', () => {
  test('by default the StatefulSet ordinal 0 restores and the others do not', () => {
    expect(decideRestorePod(undefined, 'vault-0')).toMatchObject({ restore: true, restorePod: 'vault-0' });
    expect(decideRestorePod(undefined, 'vault-1')).toMatchObject({ restore: false, restorePod: 'vault-0' });
    expect(decideRestorePod(undefined, 'vault-10')).toMatchObject({ restore: false, restorePod: 'vault-0' });
    expect(decideRestorePod(undefined, 'my-vault-20')).toMatchObject({ restore: false, restorePod: 'my-vault-0' });
  });

  test('an explicit RESTORE_POD names the restoring pod exactly', () => {
    expect(decideRestorePod('vault-2', 'vault-2').restore).toBe(true);
    expect(decideRestorePod('vault-2', 'vault-0').restore).toBe(false);
    expect(decideRestorePod('vault-2', 'vault-20').restore).toBe(false);
  });
});

describe('init parameter family', () => {
  test('Shamir takes secret shares, every auto-unseal seal takes recovery shares', () => {
    expect(initRequest('shamir', 1, 1)).toEqual({ secret_shares: 1, secret_threshold: 1 });
    for (const type of ['awskms', 'gcpckms', 'azurekeyvault', 'transit', 'pkcs11']) {
      expect(isAutoUnseal(type)).toBe(true);
      expect(initRequest(type, 3, 2)).toEqual({ recovery_shares: 3, recovery_threshold: 2 });
    }
    expect(isAutoUnseal('shamir')).toBe(false);
  });
});

describe('configuration', () => {
  test("defaults: loopback address, the source's shares and threshold for the temporary init, 10 minutes of waiting, idle when done", () => {
    const config = parseEnv(spec, { SNAPSHOT_FILE: '/restore/vault.snap' });
    expect(config.RESTORE_INIT_SHARES).toBeUndefined();
    expect(config.RESTORE_INIT_THRESHOLD).toBeUndefined();
    expect(config).toMatchObject({
      VAULT_ADDR: 'http://127.0.0.1:8200',
      RESTORE_WAIT_TIMEOUT: 600_000,
      RESTORE_EXIT_WHEN_DONE: false,
      RESTORE_FORCE_OVER_INITIALIZED: false,
      RESTORE_PEER_ADDRS: [],
    });
  });

  test('peer addresses are split on commas and checked', () => {
    const config = parseEnv(spec, { SNAPSHOT_FILE: '/s', RESTORE_PEER_ADDRS: ' http://vault-1.vault-internal:8200/, https://vault-2.vault-internal:8200 ' });
    expect(config.RESTORE_PEER_ADDRS).toEqual(['http://vault-1.vault-internal:8200', 'https://vault-2.vault-internal:8200']);
    expect(() => parseEnv(spec, { SNAPSHOT_FILE: '/s', RESTORE_PEER_ADDRS: 'vault-1:8200' })).toThrow(/RESTORE_PEER_ADDRS: address 1 of 1 must be an http/);
  });

  test('cross-field problems are reported together: threshold above shares and force without a live token', () => {
    let problems: string[] = [];
    try {
      parseEnv(spec, { SNAPSHOT_FILE: '/s', RESTORE_INIT_SHARES: '1', RESTORE_INIT_THRESHOLD: '2', RESTORE_FORCE_OVER_INITIALIZED: 'true' });
    } catch (err) {
      problems = (err as ConfigError).problems;
    }
    expect(problems).toEqual([expect.stringMatching(/^RESTORE_INIT_THRESHOLD: must be between 1 and RESTORE_INIT_SHARES/), expect.stringMatching(/^VAULT_TOKEN: is required with RESTORE_FORCE_OVER_INITIALIZED=true/)]);
  });

  test('the temporary init shape is set with both variables or neither, within Vault\'s 255 shares', () => {
    expect(() => parseEnv(spec, { SNAPSHOT_FILE: '/s', RESTORE_INIT_THRESHOLD: '2' })).toThrow(/RESTORE_INIT_SHARES: set RESTORE_INIT_SHARES and RESTORE_INIT_THRESHOLD together/);
    expect(() => parseEnv(spec, { SNAPSHOT_FILE: '/s', RESTORE_INIT_SHARES: '300', RESTORE_INIT_THRESHOLD: '2' })).toThrow(/RESTORE_INIT_SHARES: must be between 1 and 255/);
    expect(() => parseEnv(spec, { SNAPSHOT_FILE: '/s', RESTORE_INIT_SHARES: 'three', RESTORE_INIT_THRESHOLD: '2' })).toThrow(/RESTORE_INIT_SHARES: must be a whole number/);
    expect(parseEnv(spec, { SNAPSHOT_FILE: '/s', RESTORE_INIT_SHARES: '5', RESTORE_INIT_THRESHOLD: '3' })).toMatchObject({ RESTORE_INIT_SHARES: 5, RESTORE_INIT_THRESHOLD: 3 });
  });
});
