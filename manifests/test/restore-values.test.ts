import { mergeValueFiles, restoreValueSets } from '../src/check-all';
import { checkRestoreValues } from '../src/helm-values';

// biome-ignore lint/suspicious/noExplicitAny: values that the tests mutate at arbitrary depth.
type Tree = any;

function restoreValues(): Tree {
  return mergeValueFiles(restoreValueSets(undefined, ['vault'])[0]?.files ?? []);
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

function valuesOf(chart: 'vault' | 'openbao', ...examples: string[]): Tree {
  const set = restoreValueSets(undefined, [chart]).find((s) => s.files.slice(1).map((f) => f.split('/').pop()).join(',') === examples.join(','));
  if (!set) throw new Error(`no documented set ${chart}: ${examples.join(' + ')}`);
  return mergeValueFiles(set.files);
}

function container(values: Tree, name: string): Tree {
  return [...values.server.extraInitContainers, ...values.server.extraContainers].find((c: Tree) => c.name === name);
}

function setEnv(c: Tree, name: string, value: string): void {
  c.env = [...c.env.filter((e: Tree) => e.name !== name), { name, value }];
}

describe('the restore values checks know what the chart renders, and fail on', () => {
  it('service_registration "kubernetes" in standalone mode, where the chart grants no Role', () => {
    const values = valuesOf('vault', 'single-node.yaml');
    values.server.ha.raft.config += '\nservice_registration "kubernetes" {}\n';

    expect(checkRestoreValues(values, 'v').join('\n')).toMatch(/renders server.ha.raft.config with service_registration "kubernetes" in standalone mode/);
  });

  it('an OpenBao single node without its own standalone config (the chart would render file storage)', () => {
    const values = valuesOf('openbao', 'single-node.yaml');
    delete values.server.standalone;

    expect(checkRestoreValues(values, 'v', 'openbao')).toContain("v: the chart renders server.standalone.config, which these values leave at the chart's default: set it (raft storage)");
  });

  it('a config without raft storage, and retry_join addresses of another release', () => {
    const values = valuesOf('openbao');
    values.server.ha.raft.config = values.server.ha.raft.config.replace('storage "raft"', 'storage "file"').replace('openbao-2.openbao-internal', 'vault-2.vault-internal');

    const problems = checkRestoreValues(values, 'v', 'openbao').join('\n');

    expect(problems).toMatch(/without storage "raft"/);
    expect(problems).toMatch(/retry_join http:\/\/vault-2.vault-internal:8200 is not one of openbao-0, openbao-1, openbao-2/);
  });

  it('RESTORE_POD that differs between the containers or names no pod of the release, and HOSTNAME not from the pod name', () => {
    const values = valuesOf('vault');
    setEnv(container(values, 'restore-fetcher'), 'RESTORE_POD', 'vault-1');
    setEnv(container(values, 'restore-runner'), 'RESTORE_POD', 'vault-5');
    setEnv(container(values, 'restore-runner'), 'HOSTNAME', 'vault-0');

    const problems = checkRestoreValues(values, 'v').join('\n');

    expect(problems).toMatch(/restore-fetcher and restore-runner name different RESTORE_POD values/);
    expect(problems).toMatch(/restore-runner: RESTORE_POD vault-5 is not one of the release's pods vault-0, vault-1, vault-2/);
    expect(problems).toMatch(/restore-runner: HOSTNAME must come from the pod name/);
  });

  it('followers on a single node, and source keys without every follower', () => {
    const single = valuesOf('vault', 'single-node.yaml', 'shamir-unseal-keys-single-node.yaml');
    setEnv(container(single, 'restore-runner'), 'RESTORE_PEER_ADDRS', 'http://vault-1.vault-internal:8200');
    const ha = valuesOf('openbao', 'shamir-unseal-keys.yaml');
    setEnv(container(ha, 'restore-runner'), 'RESTORE_PEER_ADDRS', 'http://openbao-1.openbao-internal:8200');

    expect(checkRestoreValues(single, 'v').join('\n')).toMatch(/RESTORE_PEER_ADDRS http:\/\/vault-1.vault-internal:8200 is not a follower of vault-0/);
    expect(checkRestoreValues(ha, 'v', 'openbao').join('\n')).toMatch(/RESTORE_PEER_ADDRS must name every follower; missing openbao-2/);
  });

  it('a Secret volume that is not optional', () => {
    const values = valuesOf('vault', 'shamir-unseal-keys.yaml');
    delete values.server.volumes.find((v: Tree) => v.name === 'source-unseal-keys').secret.optional;

    expect(checkRestoreValues(values, 'v')).toEqual(['v: Secret volume source-unseal-keys must be optional: true, or a pod without that Secret hangs in ContainerCreating']);
  });

  it('an OpenBao values key outside the project schema, and a variable restore-runner does not know', () => {
    const values = valuesOf('openbao', 'single-node.yaml');
    values.server.standalone.confg = values.server.standalone.config;
    setEnv(container(values, 'restore-runner'), 'BAO_ADDR', 'http://127.0.0.1:8200');

    const problems = checkRestoreValues(values, 'v', 'openbao').join('\n');

    expect(problems).toMatch(/\/server\/standalone must NOT have additional properties "confg"/);
    expect(problems).toMatch(/restore-runner: env BAO_ADDR is not a variable restore-runner knows/);
  });
});
