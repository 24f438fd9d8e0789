import { join } from 'node:path';
import { startVaultDouble, type VaultDouble, type VaultDoubleOptions } from '../src/index';
import { combine, split } from '../src/vault-double/shamir';
import { api, downloadSnapshot, tempDir, unsealWith, uploadSnapshot, waitUntil } from './vault-double-helpers';

const WRONG_KEY = 'unable to retrieve stored keys: invalid key: failed to decrypt keys from storage: cipher: message authentication failed';

let tmp: { dir: string; cleanup: () => Promise<void> };
const doubles: VaultDouble[] = [];

async function start(options: VaultDoubleOptions): Promise<VaultDouble> {
  const double = await startVaultDouble({ restoreDelayMs: 20, ...options });
  doubles.push(double);
  return double;
}

/** A source cluster of `shares`/`threshold` with one secret, and its snapshot file. */
async function source(shares: number, threshold: number): Promise<{ keys: string[]; root: string; file: string }> {
  const double = await start({ secretShares: shares, secretThreshold: threshold });
  double.putSecret('app', { from: 'source' });
  const file = join(tmp.dir, `source-${shares}-${threshold}-${doubles.length}.snap`);
  expect((await downloadSnapshot(double.url, double.rootToken, file)).status).toBe(200);
  return { keys: double.unsealKeys, root: double.rootToken, file };
}

/** A target initialized with the temporary config, force-restored with the source snapshot, sealed after the apply. */
async function restoredTarget(file: string, shares: number, threshold: number, nodes = 1): Promise<VaultDouble> {
  const target = await start({ secretShares: shares, secretThreshold: threshold, nodes });
  expect((await uploadSnapshot(target.url, target.rootToken, file, true)).status).toBe(204);
  await waitUntil(() => target.state().restoresApplied === 1 && target.state().sealed[0] === true);
  return target;
}

const sealStatus = async (url: string) => (await api(url, 'GET', 'sys/seal-status')).json;

beforeAll(async () => {
  tmp = await tempDir();
});
afterAll(async () => {
  await Promise.all(doubles.map((d) => d.close()));
  await tmp.cleanup();
});

describe('Shamir shares (sdk/helper/shamir/shamir.go)', () => {
  it('any threshold of shares, in any order and also more than the threshold, combine to the key; fewer combine to another key', () => {
    const key = Buffer.alloc(32, 7);
    const shares = split(key, 5, 3);
    expect(shares.map((s) => s.length)).toEqual([33, 33, 33, 33, 33]);
    expect(combine([shares[4], shares[0], shares[2]].map((s) => s ?? Buffer.alloc(0)))).toEqual(key);
    expect(combine(shares)).toEqual(key);
    const short = combine(shares.slice(0, 2));
    expect(short).toHaveLength(32);
    expect(short.equals(key)).toBe(false);
    expect(() => combine([shares[0] ?? Buffer.alloc(0), shares[0] ?? Buffer.alloc(0)])).toThrow('duplicate part detected');
  });
});

describe('the seal config cached per node survives a forced restore', () => {
  it.each([
    { temp: [1, 1], source: [3, 2], given: 1, outcome: 'invalid key: failed to setup unseal key: crypto/aes: invalid key size 33' },
    { temp: [2, 2], source: [5, 3], given: 2, outcome: WRONG_KEY },
    { temp: [3, 3], source: [3, 2], given: 3, outcome: 'unsealed' },
    { temp: [3, 2], source: [3, 2], given: 2, outcome: 'unsealed' },
    { temp: [1, 1], source: [1, 1], given: 1, outcome: 'unsealed' },
    { temp: [3, 3], source: [3, 2], given: 2, outcome: 'still sealed' },
  ])('temporary init $temp.0/$temp.1, source $source.0/$source.1, $given source keys: $outcome', async ({ temp, source: src, given, outcome }) => {
    const [tempShares = 0, tempThreshold = 0] = temp;
    const origin = await source(src[0] ?? 0, src[1] ?? 0);
    const target = await restoredTarget(origin.file, tempShares, tempThreshold);
    expect(await sealStatus(target.url)).toMatchObject({ sealed: true, t: tempThreshold, n: tempShares });
    const last = await unsealWith(target.url, origin.keys.slice(0, given));
    if (outcome === 'unsealed') {
      expect(last.json).toMatchObject({ sealed: false });
      expect((await api(target.url, 'GET', 'secret/app', { token: origin.root })).json.data).toEqual({ from: 'source' });
    } else if (outcome === 'still sealed') {
      expect(last.json).toMatchObject({ sealed: true, progress: given, t: tempThreshold });
    } else {
      expect(last.status).toBe(400);
      expect(last.json).toEqual({ errors: [outcome] });
      expect(await sealStatus(target.url)).toMatchObject({ sealed: true, progress: 0, t: tempThreshold, n: tempShares });
    }
  });

  it('a restart of the process drops the cache: seal-status reads the snapshot config and the source threshold unseals', async () => {
    const origin = await source(3, 2);
    const target = await restoredTarget(origin.file, 1, 1);
    expect(await sealStatus(target.url)).toMatchObject({ t: 1, n: 1 });
    target.restartNode(0);
    expect(await sealStatus(target.url)).toMatchObject({ sealed: true, t: 2, n: 3 });
    expect(target.state().nodes[0]).toMatchObject({ cachedThreshold: 2, cachedShares: 3 });
    expect((await unsealWith(target.url, origin.keys.slice(1, 3))).json).toMatchObject({ sealed: false });
  });

  it('a successful unseal purges the cache (postUnseal): afterwards seal-status shows the snapshot config', async () => {
    const origin = await source(5, 2);
    const target = await restoredTarget(origin.file, 3, 3);
    const unsealed = await unsealWith(target.url, origin.keys.slice(0, 3));
    expect(unsealed.json).toMatchObject({ sealed: false, t: 2, n: 5 });
    expect(target.state().nodes[0]).toMatchObject({ cachedThreshold: 2, cachedShares: 5 });
  });

  it('each node has its own cache: a follower keeps counting to the threshold it cached before the restore', async () => {
    const origin = await source(5, 2);
    const target = await restoredTarget(origin.file, 3, 3, 2);
    const follower = target.nodes[1]?.url ?? '';
    await waitUntil(() => target.state().sealed.every(Boolean));
    expect((await unsealWith(target.url, origin.keys.slice(0, 3))).json).toMatchObject({ sealed: false, t: 2, n: 5 });
    expect(await sealStatus(follower)).toMatchObject({ sealed: true, t: 3, n: 3 });
    expect((await unsealWith(follower, origin.keys.slice(0, 2))).json).toMatchObject({ sealed: true, progress: 2 });
    expect((await unsealWith(follower, origin.keys.slice(2, 3))).json).toMatchObject({ sealed: false });
    expect((await api(follower, 'GET', 'sys/health')).status).toBe(429);
  });
});
