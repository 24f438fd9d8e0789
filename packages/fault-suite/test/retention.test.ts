import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { type S3Server, startS3Server } from '@vault-raft-backup/testkit';
import { run } from './support/bundles';
import { removeWorkDirs, workDir } from './support/files';
import { withFault } from './support/ledger';
import { BUCKET, objectSha, type SnapshotFile, writeSnapshotFile } from './support/s3';

let server: S3Server;
let client: S3Client;
let snap: SnapshotFile;
const NEW_STAMP = '2026-11-10T12-00-00Z';
const key = (prefix: string, stamp: string) => `${prefix}vault-raft-snapshot-${stamp}.snap`;

beforeAll(async () => {
  server = await startS3Server({ buckets: [BUCKET] });
  client = server.client();
  snap = await writeSnapshotFile(workDir('ret'), 'vault.snap', 64 * 1024, '2026-11-10T12:00:00.000Z');
});
afterAll(async () => {
  await server.close();
  removeWorkDirs();
});

async function put(keys: string[]): Promise<void> {
  for (const Key of keys) await client.send(new PutObjectCommand({ Bucket: BUCKET, Key, Body: `old object ${Key}` }));
}

const upload = (prefix: string, retain: number) => run('s3-uploader', { ...server.env(), SNAPSHOT_FILE: snap.file, S3_BUCKET: BUCKET, S3_PREFIX: prefix, BACKUP_RETAIN: String(retain) });

it('RET-NEWEST-N: BACKUP_RETAIN=3 keeps the three newest snapshots (the new one among them) and deletes only older ones', () =>
  withFault(
    { id: 'RET-NEWEST-N', area: 'Retention', fault: 'retention keeps the newest N', injection: '5 older timestamped snapshots under the prefix; upload with BACKUP_RETAIN=3', expected: 'exit 0; new + 2 newest old kept, 3 oldest deleted, latest = new' },
    async (f) => {
      const prefix = 'newest/';
      const old = ['2026-11-01T00-00-00Z', '2026-11-02T00-00-00Z', '2026-11-03T00-00-00Z', '2026-11-04T00-00-00Z', '2026-11-05T00-00-00Z'].map((s) => key(prefix, s));
      await put(old);
      f.inject();
      const result = await upload(prefix, 3);
      expect(result.code).toBe(0);
      const left = await server.listKeys(BUCKET, prefix);
      f.intact('newest N kept', [key(prefix, NEW_STAMP), old[4], old[3]].every((k) => left.includes(String(k))));
      expect(left).toEqual([`${prefix}latestbackup.snap`, old[3], old[4], key(prefix, NEW_STAMP)].sort());
    },
  ));

it('RET-PROTECT: when the new snapshot is older than the ones kept, it is still never deleted, because latest was copied from it', () =>
  withFault(
    { id: 'RET-PROTECT', area: 'Retention', fault: 'retention vs the object latest was copied from', injection: '2 snapshots newer than the uploaded one (e.g. a re-upload of an older snapshot); BACKUP_RETAIN=1', expected: 'exit 0; the uploaded object and latest (its copy) survive; the newest kept; nothing else deleted beyond N' },
    async (f) => {
      const prefix = 'protect/';
      const newer = [key(prefix, '2026-11-20T00-00-00Z'), key(prefix, '2026-11-21T00-00-00Z')];
      await put(newer);
      f.inject();
      const result = await upload(prefix, 1);
      expect(result.code).toBe(0);
      f.intact('the object latest was copied from survives', (await objectSha(client, key(prefix, NEW_STAMP))) === snap.sha256);
      f.intact('latest is that snapshot', (await objectSha(client, `${prefix}latestbackup.snap`)) === snap.sha256);
      f.intact('the newest snapshot survives', (await server.listKeys(BUCKET, prefix)).includes(String(newer[1])));
    },
  ));

it('RET-FOREIGN: retention never deletes outside the prefix, in sub-folders, or names that are not this project\'s snapshots', () =>
  withFault(
    { id: 'RET-FOREIGN', area: 'Retention', fault: 'retention vs foreign objects', injection: 'BACKUP_RETAIN=1 with look-alike names under the prefix, in a sub-folder, in a sibling prefix, at the bucket root and in another prefix', expected: 'exit 0; every foreign object byte-identical; only the new snapshot and latest added' },
    async (f) => {
      const prefix = 'prod/';
      const foreign = [
        'prod/notes.txt',
        'prod/latestbackup.snap.bak',
        'prod/vault-raft-snapshot-2020-01-01T00-00-00Z.snap.bak',
        'prod/vault-raft-snapshot-2020-01-01T00-00-00Z.snapx',
        'prod/VAULT-RAFT-SNAPSHOT-2020-01-01T00-00-00Z.snap',
        'prod/vault-raft-snapshot-2020-01-01.snap',
        'prod/other-tool-2020-01-01T00-00-00Z.snap',
        'prod/archive/vault-raft-snapshot-2020-01-01T00-00-00Z.snap',
        'prod-old/vault-raft-snapshot-2020-01-01T00-00-00Z.snap',
        'prodvault-raft-snapshot-2020-01-01T00-00-00Z.snap',
        'vault-raft-snapshot-2020-01-01T00-00-00Z.snap',
        'staging/vault-raft-snapshot-2020-01-01T00-00-00Z.snap',
      ];
      await put(foreign);
      const before = await Promise.all(foreign.map((k) => objectSha(client, k)));
      f.inject(foreign.length);
      const result = await upload(prefix, 1);
      expect(result.code).toBe(0);
      const after = await Promise.all(foreign.map((k) => objectSha(client, k)));
      f.intact('every foreign object untouched', after.every((sha, i) => sha === before[i] && sha !== 'missing'));
      expect((await server.listKeys(BUCKET)).filter((k) => !foreign.includes(k) && !k.startsWith('newest/') && !k.startsWith('protect/'))).toEqual([`${prefix}latestbackup.snap`, key(prefix, NEW_STAMP)]);
    },
  ));
