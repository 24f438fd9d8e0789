import { createLogger, describeError, vaultClientFromConfig } from '@vault-raft-backup/common';
import type { VaultDouble } from '@vault-raft-backup/testkit';
import { takeSnapshot } from '@vault-raft-backup/snapshot-taker/src/take-snapshot';
import { run } from './support/bundles';
import { removeWorkDirs, workDir } from './support/files';
import { keepOutput, withFault } from './support/ledger';
import { itLeaksNoSecret } from './support/scan-test';
import { expectPreviousIntact, previousBackup, seededRandom } from './support/snapshots';
import { backupVault, snapshotSize, tokenFor } from './support/vault';

const OFFSETS = 100;
const BUNDLE_OFFSETS = 12;
const LANES = 4;
const SEED = 20261129;

interface Lane {
  d: VaultDouble;
  token: string;
  size: number;
}
const lanes: Lane[] = [];

beforeAll(async () => {
  for (let i = 0; i < LANES; i++) {
    const d = await backupVault({ fillerBytes: 96 * 1024 });
    const token = await tokenFor(d);
    // the same state must give the same size, or an offset could fall past the end and not cut at all
    const size = await snapshotSize(d, token);
    expect(await snapshotSize(d, token)).toBe(size);
    lanes.push({ d, token, size });
  }
});
afterAll(async () => {
  await Promise.all(lanes.map((l) => l.d.close()));
  removeWorkDirs();
});

/** Offsets in [0, size): the first byte, the last byte, and random ones in between (seeded, so a failure replays). */
function offsets(size: number, count: number): number[] {
  const random = seededRandom(SEED);
  const out = [0, size - 1];
  while (out.length < count) out.push(Math.floor(random() * size));
  return out;
}

/** One in-process run of the verb the bundle wraps; returns `code` of the error, or `ok`. */
async function takeInProcess(lane: Lane, file: string, lines: string[]): Promise<string> {
  const log = createLogger({ component: 'snapshot-taker', write: (l) => lines.push(l) });
  const connection = { VAULT_ADDR: lane.d.url, VAULT_SKIP_VERIFY: false, VAULT_TIMEOUT: 10_000, VAULT_RETRY_TIMEOUT: 10_000, VAULT_MAX_RETRIES: 0 };
  const client = vaultClientFromConfig(connection, log, lane.token);
  const clientAt = (origin: string) => vaultClientFromConfig({ ...connection, VAULT_ADDR: origin }, log);
  try {
    await takeSnapshot(client, { file, stallMs: 10_000, firstByteMs: 10_000, callMs: 10_000, signal: new AbortController().signal, clientAt }, log);
    return 'ok';
  } catch (err) {
    lines.push(describeError(err));
    return String((err as { code?: unknown }).code);
  }
}

it(`V-CUT-${OFFSETS}: a stream cut at ${OFFSETS} offsets (first byte, last byte, seeded random) never leaves a snapshot: SNAPSHOT_INCOMPLETE every time`, () =>
  withFault(
    {
      id: `V-CUT-${OFFSETS}`,
      area: 'Vault',
      fault: 'stream cut at a random offset',
      injection: `double cutSnapshotAfterBytes = offset (status already 200); ${OFFSETS} offsets from seed ${SEED} over ${LANES} doubles, run in-process through takeSnapshot, the verb the bundle wraps`,
      expected: 'every run: SNAPSHOT_INCOMPLETE, earlier snapshot and sidecar byte-identical, no temp file',
    },
    async (f) => {
      const all = offsets(lanes[0]?.size ?? 0, OFFSETS);
      const outcomes: string[] = [];
      const lines: string[] = [];
      await Promise.all(
        lanes.map(async (lane, i) => {
          for (let n = i; n < all.length; n += LANES) {
            const cut = Math.min(all[n] ?? 0, lane.size - 1);
            const dir = workDir('cut');
            const prev = previousBackup(dir);
            lane.d.faults.cutSnapshotAfterBytes = cut;
            f.inject();
            f.runs++;
            outcomes.push(`${cut}:${await takeInProcess(lane, prev.file, lines)}`);
            expectPreviousIntact(f, dir, prev);
          }
        }),
      );
      keepOutput('snapshot-taker in-process', lines.join('\n'));
      expect(outcomes.filter((o) => !o.endsWith(':SNAPSHOT_INCOMPLETE'))).toEqual([]);
      expect(outcomes).toHaveLength(OFFSETS);
    },
  ));

it(`V-CUT-BUNDLE: the bundle, cut at ${BUNDLE_OFFSETS} of those offsets, exits 1 with SNAPSHOT_INCOMPLETE and a readable message every time`, () =>
  withFault(
    {
      id: 'V-CUT-BUNDLE',
      area: 'Vault',
      fault: 'stream cut at a random offset (bundle)',
      injection: `the first ${BUNDLE_OFFSETS} offsets of the same seed, each run through the snapshot-taker bundle`,
      expected: 'exit 1, SNAPSHOT_INCOMPLETE "broke off before the archive was complete", earlier snapshot kept, no temp file',
    },
    async (f) => {
      const all = offsets(lanes[0]?.size ?? 0, BUNDLE_OFFSETS);
      const outcomes: string[] = [];
      await Promise.all(
        lanes.map(async (lane, i) => {
          for (let n = i; n < all.length; n += LANES) {
            const cut = Math.min(all[n] ?? 0, lane.size - 1);
            lane.d.faults.cutSnapshotAfterBytes = cut;
            const dir = workDir('cut-bundle');
            const prev = previousBackup(dir);
            f.inject();
            const result = await run('snapshot-taker', { VAULT_ADDR: lane.d.url, VAULT_TOKEN: lane.token, SNAPSHOT_FILE: prev.file, VAULT_REVOKE_TOKEN: 'false' });
            const msg = String(result.lines.at(-1)?.msg);
            outcomes.push(`${cut}:${result.code}:${String(result.lines.at(-1)?.code)}:${msg.includes('broke off before the archive was complete') && !msg.includes('[object')}`);
            expectPreviousIntact(f, dir, prev);
          }
        }),
      );
      expect(outcomes.filter((o) => !o.endsWith(':1:SNAPSHOT_INCOMPLETE:true'))).toEqual([]);
      expect(outcomes).toHaveLength(BUNDLE_OFFSETS);
    },
  ));

describe('secrets', () => {
  itLeaksNoSecret();
});
