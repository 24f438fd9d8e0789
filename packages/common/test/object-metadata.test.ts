import { objectFactsOf, objectMetadataOf, type SnapshotRecord } from '../src/index';

const record: SnapshotRecord = {
  sha256: 'a'.repeat(64),
  bytes: 10,
  index: 42,
  term: 3,
  takenAt: '2026-12-01T10:00:00.000Z',
  source: 'http://10.0.0.1:8200',
  vault: { sealType: 'shamir', recoverySeal: false, shares: 5, threshold: 3, version: '1.17.6', clusterId: 'c-1', clusterName: 'prod ünï/ø', storageType: 'raft' },
};

test('the sidecar facts survive a trip through object metadata, with ASCII-only values', () => {
  const meta = objectMetadataOf(record);

  expect(Object.values(meta).every((v) => /^[\x20-\x7e]*$/.test(v))).toBe(true);
  expect(objectFactsOf(meta)).toEqual({ sha256: record.sha256, takenAt: record.takenAt, index: 42, term: 3, vault: record.vault });
});

test('an object written before seal facts were recorded reads back without them', () => {
  const facts = objectFactsOf({ sha256: 'B'.repeat(64), 'taken-at': '2026-11-01T00:00:00Z', 'raft-index': '7', 'raft-term': '1' });

  expect(facts).toEqual({ sha256: 'b'.repeat(64), takenAt: '2026-11-01T00:00:00Z', index: 7, term: 1, vault: undefined });
});

test('malformed fields are left out instead of guessed', () => {
  const facts = objectFactsOf({ sha256: 'zz', 'taken-at': 'yesterday', 'raft-index': '-1', 'seal-type': 'shamir', 'seal-shares': 'five', 'seal-threshold': '3' });

  expect(facts).toEqual({ sha256: undefined, takenAt: undefined, index: undefined, term: undefined, vault: undefined });
  expect(objectFactsOf(undefined).vault).toBeUndefined();
});
