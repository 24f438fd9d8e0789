import { startVaultDouble, type VaultDouble } from '../src/index';
import { api, unsealWith } from './vault-double-helpers';

const WRONG_KEY = 'unable to retrieve stored keys: invalid key: failed to decrypt keys from storage: cipher: message authentication failed';

const doubles: VaultDouble[] = [];

async function start(options: Parameters<typeof startVaultDouble>[0]): Promise<VaultDouble> {
  const double = await startVaultDouble(options);
  doubles.push(double);
  return double;
}

const sealed = async (url: string) => (await api(url, 'GET', 'sys/seal-status')).json.sealed === true;

afterAll(async () => {
  await Promise.all(doubles.map((d) => d.close()));
});

describe('init and unseal', () => {
  it('initializes a fresh Shamir node, which stays sealed until the threshold of keys', async () => {
    const fresh = await start({ initialized: false });
    expect((await api(fresh.url, 'GET', 'sys/health')).status).toBe(501);
    expect((await api(fresh.url, 'GET', 'sys/init')).json).toEqual({ initialized: false });
    const wrong = await api(fresh.url, 'PUT', 'sys/init', { body: { recovery_shares: 3, recovery_threshold: 2 } });
    expect(wrong.status).toBe(400);
    expect(wrong.json).toEqual({ errors: ['parameters recovery_shares,recovery_threshold not applicable to seal type shamir'] });
    const init = await api(fresh.url, 'PUT', 'sys/init', { body: { secret_shares: 3, secret_threshold: 2 } });
    expect(init.status).toBe(200);
    expect(init.json.keys).toHaveLength(3);
    // Shares are 32 key bytes plus the x coordinate; recovery keys are omitted for Shamir (omitempty).
    expect(init.json.keys.map((k: string) => k.length)).toEqual([66, 66, 66]);
    expect(init.json).not.toHaveProperty('recovery_keys');
    expect(init.json.keys_base64).toHaveLength(3);
    expect(init.json.root_token).toMatch(/^hvs\./);
    expect((await api(fresh.url, 'GET', 'sys/health')).status).toBe(503);
    const first = await api(fresh.url, 'PUT', 'sys/unseal', { body: { key: init.json.keys[0] } });
    expect(first.json).toMatchObject({ sealed: true, t: 2, n: 3, progress: 1 });
    const second = await api(fresh.url, 'PUT', 'sys/unseal', { body: { key: init.json.keys_base64[1] } });
    expect(second.json).toMatchObject({ sealed: false, progress: 0 });
    const again = await api(fresh.url, 'PUT', 'sys/init', { body: { secret_shares: 1, secret_threshold: 1 } });
    expect(again.status).toBe(400);
    expect(again.json).toEqual({ errors: ['Vault is already initialized'] });
  });

  it('rejects keys of another cluster with 400 once the threshold is reached: the combined key does not decrypt the stored keys', async () => {
    const target = await start({ secretShares: 3, secretThreshold: 2 });
    const other = await start({ secretShares: 3, secretThreshold: 2 });
    target.seal();
    const bad = await unsealWith(target.url, other.unsealKeys.slice(0, 2));
    expect(bad.status).toBe(400);
    expect(bad.json).toEqual({ errors: [WRONG_KEY] });
    expect(await sealed(target.url)).toBe(true);
    expect((await unsealWith(target.url, target.unsealKeys.slice(1, 3))).json).toMatchObject({ sealed: false });
  });

  it('answers 400 for keys that are not hex or base64, or too short, as internal/http/sys_seal.go and unsealFragment do', async () => {
    const target = await start({});
    target.seal();
    expect((await api(target.url, 'PUT', 'sys/unseal', { body: { key: 'not a key!' } })).json).toEqual({ errors: ["'key' must be a valid hex or base64 string"] });
    expect((await api(target.url, 'PUT', 'sys/unseal', { body: { key: 'abcd' } })).json).toEqual({ errors: ['invalid key: key is shorter than minimum 16 bytes'] });
    expect((await api(target.url, 'PUT', 'sys/unseal', { body: {} })).json).toEqual({ errors: ["'key' must be specified in request body as JSON, or 'reset' set to true"] });
  });

  it('unseal reset on a sealed node drops the progress and answers the status; on an unsealed node it is 400 vault is unsealed', async () => {
    const target = await start({ secretShares: 3, secretThreshold: 2 });
    const unsealed = await api(target.url, 'PUT', 'sys/unseal', { body: { reset: true } });
    expect(unsealed.status).toBe(400);
    expect(unsealed.json).toEqual({ errors: ['vault is unsealed'] });
    target.seal();
    expect((await api(target.url, 'PUT', 'sys/unseal', { body: { key: target.unsealKeys[0] } })).json).toMatchObject({ progress: 1 });
    const reset = await api(target.url, 'PUT', 'sys/unseal', { body: { reset: true } });
    expect(reset.status).toBe(200);
    expect(reset.json).toMatchObject({ sealed: true, progress: 0, nonce: '', t: 2, n: 3 });
    expect((await api(target.url, 'PUT', 'sys/unseal', { body: { key: target.unsealKeys[1] } })).json).toMatchObject({ sealed: true, progress: 1 });
  });

  it('validates init parameters as SealConfig.Validate does, before checking for a previous init', async () => {
    const fresh = await start({ initialized: false });
    const problems = [
      [{ secret_shares: 3, secret_threshold: 4 }, 'invalid seal configuration: threshold cannot be larger than shares'],
      [{ secret_shares: 3, secret_threshold: 1 }, 'invalid seal configuration: threshold must be greater than one for multiple shares'],
      [{}, 'invalid seal configuration: shares must be at least one'],
      [{ secret_shares: '3', secret_threshold: 2 }, 'json: cannot unmarshal string into Go struct field InitRequest.secret_shares of type int'],
    ] as const;
    for (const [body, message] of problems) expect((await api(fresh.url, 'PUT', 'sys/init', { body })).json).toEqual({ errors: [message] });
    expect((await api(fresh.url, 'GET', 'sys/init')).json).toEqual({ initialized: false });
  });

  it('initializes an auto-unseal node with recovery keys only and it unseals by itself', async () => {
    const fresh = await start({ initialized: false, sealType: 'awskms', kmsKeyId: 'key-a' });
    const wrong = await api(fresh.url, 'PUT', 'sys/init', { body: { secret_shares: 1, secret_threshold: 1 } });
    expect(wrong.json).toEqual({ errors: ['parameters secret_shares,secret_threshold not applicable to seal type awskms'] });
    const init = await api(fresh.url, 'PUT', 'sys/init', { body: { recovery_shares: 5, recovery_threshold: 3 } });
    expect(init.json.keys).toEqual([]);
    expect(init.json.recovery_keys).toHaveLength(5);
    expect((await api(fresh.url, 'GET', 'sys/seal-status')).json).toMatchObject({ type: 'awskms', sealed: false, recovery_seal: true, t: 3, n: 5 });
  });
});
