import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@vault-raft-backup/testkit';
import { parse } from 'yaml';
import { envFromFlags } from '../src/flags';
import { roleDifferences, seconds } from '../src/role-settings';
import { secretManifest } from '../src/secret-manifest';

describe('role settings', () => {
  it('reads Vault durations as seconds', () => {
    expect([seconds('600'), seconds('10m'), seconds('720h'), seconds('1d')]).toEqual([600, 600, 2_592_000, 86_400]);
  });

  it('compares lists as sets and treats a missing list as empty', () => {
    const desired = { token_policies: ['a', 'b'], token_bound_cidrs: [], token_ttl: 600 };

    expect(roleDifferences({ token_policies: ['b', 'a'], token_bound_cidrs: null, token_ttl: 600 }, desired)).toEqual([]);
    expect(roleDifferences({ token_policies: ['a'], token_ttl: 60 }, desired)).toEqual(['token_policies', 'token_ttl']);
  });
});

describe('flags', () => {
  it('map --name=value onto SETUP_* variables and win over the environment', () => {
    expect(envFromFlags(['--role-name=r2', '--output=/tmp/x'], { SETUP_ROLE_NAME: 'r1' })).toMatchObject({ SETUP_ROLE_NAME: 'r2', SETUP_OUTPUT: '/tmp/x' });
  });

  it('also take the value as the next argument: --auth kubernetes', () => {
    expect(envFromFlags(['--auth', 'kubernetes', '--enable-mount=true'], {})).toMatchObject({ SETUP_AUTH: 'kubernetes', SETUP_ENABLE_MOUNT: 'true' });
  });

  it('reject anything else: a bare value, or a flag without one', () => {
    expect(() => envFromFlags(['kubernetes'], {})).toThrow(/expected --name=value or --name value/);
    expect(() => envFromFlags(['--auth'], {})).toThrow(/argument "--auth"/);
    expect(() => envFromFlags(['--auth', '--role-name=x'], {})).toThrow(/argument "--auth"/);
  });
});

describe('the emitted Secret', () => {
  it('has the keys the backup CronJob mounts', () => {
    const cronjob = parse(readFileSync(join(repoRoot(), 'manifests', 'backup', 'base', 'cronjob.yaml'), 'utf8'));
    const volume = cronjob.spec.jobTemplate.spec.template.spec.volumes.find((v: { name: string }) => v.name === 'approle');

    const secret = parse(secretManifest({ roleId: 'r', secretId: 's', wrapped: false }, volume.secret.secretName, 'ns'));

    expect(Object.keys(secret.stringData).sort()).toEqual(volume.secret.items.map((i: { key: string }) => i.key).sort());
    expect(secret.metadata.name).toBe(volume.secret.secretName);
  });

  it('quotes values so that any string stays a string', () => {
    const secret = parse(secretManifest({ roleId: '0123', secretId: 'a: b #c', wrapped: false }, 'n', 'ns'));

    expect(secret.stringData).toEqual({ 'role-id': '0123', 'secret-id': 'a: b #c' });
  });
});
