import { mergeValueFiles, restoreValueSets } from '../src/check-all';
import { checkRestoreValues } from '../src/helm-values';

// biome-ignore lint/suspicious/noExplicitAny: values that the tests mutate at arbitrary depth.
type Tree = any;

function restoreValues(): Tree {
  return mergeValueFiles(restoreValueSets()[0] ?? []);
}

describe('the restore values checks fail on', () => {
  it('a key the chart does not have', () => {
    const values = restoreValues();
    values.server.extraInitContainer = values.server.extraInitContainers;

    expect(checkRestoreValues(values, 'v').join('\n')).toMatch(/\/server must NOT have additional properties "extraInitContainer"/);
  });

  it('a value of the wrong type', () => {
    const values = restoreValues();
    values.server.ha.replicas = '3';

    expect(checkRestoreValues(values, 'v')).toContain('v: /server/ha/replicas must be integer');
  });

  it('a misspelled container field, an unknown variable and a missing required one', () => {
    const values = restoreValues();
    const runner = values.server.extraContainers[0];
    runner.volumeMount = runner.volumeMounts;
    runner.env = runner.env.filter((e: Tree) => e.name !== 'SNAPSHOT_FILE');
    values.server.extraInitContainers[0].env.push({ name: 'RESTORE_KEYY', value: 'x' });

    const problems = checkRestoreValues(values, 'v').join('\n');

    expect(problems).toMatch(/container restore-runner: \/volumeMount: unknown field/);
    expect(problems).toMatch(/restore-fetcher: env RESTORE_KEYY is not a variable restore-fetcher knows/);
    expect(problems).toMatch(/restore-runner: required env SNAPSHOT_FILE is not set/);
  });

  it('a mount of a volume that server.volumes does not define', () => {
    const values = restoreValues();
    values.server.volumes = values.server.volumes.filter((v: Tree) => v.name !== 'restore-s3-credentials');

    expect(checkRestoreValues(values, 'v').join('\n')).toMatch(/volumeMount restore-s3-credentials has no volume in server.volumes/);
  });
});
