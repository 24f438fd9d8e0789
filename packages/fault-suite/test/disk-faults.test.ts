import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { VaultDouble } from '@vault-raft-backup/testkit';
import { run, start } from './support/bundles';
import { removeWorkDirs, tree, workDir } from './support/files';
import { keepSecret, withFault } from './support/ledger';
import { itLeaksNoSecret } from './support/scan-test';
import { expectPreviousIntact, previousBackup } from './support/snapshots';
import { backupRole, backupVault, lookupStatus, tokenFor } from './support/vault';
import { describeVolumes, fullVolumes, unmountAll, unwritableDirs } from './support/volumes';

let d: VaultDouble;
beforeAll(async () => {
  d = await backupVault({ fillerBytes: 2 * 1024 * 1024 });
});
afterAll(async () => {
  await d.close();
  unmountAll();
  removeWorkDirs();
});

describe('disk', () => {
  it('D-ENOSPC: the snapshot volume fills up mid-download: exit 1 FILE_IO saying the disk is full, earlier snapshot kept, no temp file, token revoked', () => {
    const volumes = fullVolumes(1024);
    return withFault(
      { id: 'D-ENOSPC', area: 'Disk', fault: 'snapshot volume full', injection: `a 2 MiB snapshot into a 1 MiB volume, made each way available: ${describeVolumes(volumes)}`, expected: 'exit 1 FILE_IO naming the file and the errno (not "Vault broke off"), earlier snapshot kept, no temp file, token revoked' },
      async (f) => {
        for (const volume of volumes) {
          const prev = previousBackup(volume.dir);
          const token = await tokenFor(d);
          f.inject();
          const result = await run('snapshot-taker', { VAULT_ADDR: d.url, VAULT_TOKEN: token, SNAPSHOT_FILE: prev.file }, volume.node ? { node: volume.node } : {});
          expect(`${volume.kind}: ${result.code}`).toBe(`${volume.kind}: 1`);
          expect(result.lines.at(-1)).toMatchObject({ code: 'FILE_IO', msg: expect.stringMatching(/cannot write the snapshot to .*vault\.snap.*(ENOSPC|EFBIG)/) });
          expectPreviousIntact(f, volume.dir, prev);
          expect(await lookupStatus(d, token)).toBe(403);
        }
      },
    );
  });

  it('D-UNWRITABLE: the snapshot folder is not writable: exit 1 FILE_IO naming the file, nothing written, token revoked', () => {
    const targets = unwritableDirs();
    return withFault(
      { id: 'D-UNWRITABLE', area: 'Disk', fault: 'snapshot volume unwritable', injection: `SNAPSHOT_FILE in a folder made unwritable each way available: ${describeVolumes(targets)}`, expected: 'exit 1 FILE_IO naming the file and the errno, token revoked' },
      async (f) => {
        for (const target of targets) {
          const token = await tokenFor(d);
          f.inject();
          const result = await run('snapshot-taker', { VAULT_ADDR: d.url, VAULT_TOKEN: token, SNAPSHOT_FILE: join(target.dir, 'vault.snap') });
          expect(`${target.kind}: ${result.code}`).toBe(`${target.kind}: 1`);
          expect(result.lines.at(-1)).toMatchObject({ code: 'FILE_IO', msg: expect.stringMatching(/cannot write the snapshot to .*vault\.snap.*(EROFS|EACCES|ENOTDIR)/) });
          f.intact('nothing written', target.kind === 'not-a-directory' || tree(target.dir).length === 0);
          expect(await lookupStatus(d, token)).toBe(403);
        }
      },
    );
  });

  it('D-TOKEN-UNWRITABLE: approle-login cannot write its token file: exit 1 FILE_IO naming the file, the token is never printed', () => {
    const targets = unwritableDirs();
    return withFault(
      { id: 'D-TOKEN-UNWRITABLE', area: 'Disk', fault: 'token volume unwritable', injection: `VAULT_TOKEN_FILE in a folder made unwritable each way available: ${describeVolumes(targets)}`, expected: 'exit 1 FILE_IO naming the token file, the unwritten token revoked (no live token left), no token in any output' },
      async (f) => {
        for (const target of targets) {
          const role = backupRole(d, `unwritable-${target.kind}`);
          const live = d.state().liveTokens;
          f.inject();
          const result = await run('approle-login', { VAULT_ADDR: d.url, VAULT_ROLE_ID: role.roleId, VAULT_SECRET_ID: role.secretId, VAULT_TOKEN_FILE: join(target.dir, 'token') });
          expect(`${target.kind}: ${result.code}`).toBe(`${target.kind}: 1`);
          expect(result.lines.at(-1)).toMatchObject({ code: 'FILE_IO', msg: expect.stringContaining(join(target.dir, 'token')) });
          expect(result.lines.some((l) => l.msg === 'token revoked, as it could not be written')).toBe(true);
          expect(d.state().liveTokens).toBe(live);
        }
      },
    );
  });

  it('D-LEFTOVER: a run killed with SIGKILL leaves a temp file; the next run removes it, says so and writes a verified snapshot', () =>
    withFault(
      { id: 'D-LEFTOVER', area: 'Disk', fault: 'leftover temp file from a killed run', injection: 'snapshot-taker killed with SIGKILL while the stream stalls mid-download, then run again', expected: 'killed run leaves only its temp file (earlier snapshot intact); next run exit 0, logs the removal, only snapshot + sidecar remain' },
      async (f) => {
        const dir = workDir('leftover');
        const prev = previousBackup(dir);
        d.faults.stallSnapshotAfterBytes = 256 * 1024;
        const token = await tokenFor(d);
        keepSecret('vault token', token);
        const killed = start('snapshot-taker', { VAULT_ADDR: d.url, VAULT_TOKEN: token, SNAPSHOT_FILE: prev.file, VAULT_REVOKE_TOKEN: 'false' });
        await killed.waitForLine((l) => l.msg === 'requesting raft snapshot');
        while (!tree(dir).some((n) => n.includes('.partial-'))) await new Promise((r) => setTimeout(r, 20));
        f.inject();
        killed.child.kill('SIGKILL');
        await killed.done;
        d.faults.stallSnapshotAfterBytes = undefined;
        const leftovers = tree(dir).filter((n) => n.includes('.partial-'));
        expect(leftovers).toHaveLength(1);
        f.intact('earlier snapshot kept by the killed run', existsSync(prev.file));
        const result = await run('snapshot-taker', { VAULT_ADDR: d.url, VAULT_TOKEN: token, SNAPSHOT_FILE: prev.file });
        expect(result.code).toBe(0);
        expect(result.lines.find((l) => l.msg === 'removed temp files of an earlier run that did not finish')).toMatchObject({ files: leftovers });
        expect(tree(dir)).toEqual(['vault.snap', 'vault.snap.json']);
      },
    ));
});

describe('secrets', () => {
  itLeaksNoSecret();
});

