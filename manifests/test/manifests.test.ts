import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkBackupObjects } from '../src/check-backup';
import { checkAll, exampleFiles, MANIFESTS_DIR, overlayDirs, restoreValueSets } from '../src/check-all';
import { render } from '../src/render';
import type { K8sObject } from '../src/yaml-io';

// biome-ignore lint/suspicious/noExplicitAny: rendered objects that the tests mutate at arbitrary depth.
type Tree = any;

const YANDEX = join(MANIFESTS_DIR, 'backup', 'overlays', 'yandex');
const KUBERNETES_AUTH = join(MANIFESTS_DIR, 'backup', 'overlays', 'aws-irsa-kubernetes-auth');

function backupPod(objects: K8sObject[]): Tree {
  return (objects.find((o) => o.kind === 'CronJob') as Tree).spec.jobTemplate.spec.template.spec;
}

function container(objects: K8sObject[], name: string): Tree {
  const pod = backupPod(objects);
  return [...pod.initContainers, ...pod.containers].find((c: Tree) => c.name === name);
}

describe('the shipped manifests', () => {
  it('every backup overlay and every restore values set passes all checks', () => {
    const { checked, problems } = checkAll();

    expect(problems).toEqual([]);
    expect(checked).toEqual(
      expect.arrayContaining(['backup/overlays/yandex', 'backup/overlays/aws', 'restore/values-restore.yaml', 'restore/values-restore.yaml + restore/examples/single-node.yaml', 'restore/openbao/values-restore.yaml']),
    );
  });

  it('every restore example of both charts is part of a documented, checked set', () => {
    const used = new Set(restoreValueSets().flatMap((s) => s.files));
    const examples = exampleFiles();

    expect(examples.length).toBeGreaterThanOrEqual(8);
    expect(examples.filter((f) => !used.has(f))).toEqual([]);
  });

  it('the backup runs daily off the full hour, in UTC, one run at a time', () => {
    const cron = render(YANDEX).find((o) => o.kind === 'CronJob') as Tree;

    expect(cron.spec.schedule).toMatch(/^[1-9]\d? \d+ \* \* \*$/);
    expect(cron.spec.timeZone).toBe('Etc/UTC');
    expect(cron.spec.concurrencyPolicy).toBe('Forbid');
  });

  it('the overlays point at their S3 endpoints', () => {
    const yandex = container(render(YANDEX), 's3-uploader').env;
    const aws = container(render(join(MANIFESTS_DIR, 'backup', 'overlays', 'aws')), 's3-uploader').env;

    expect(yandex).toEqual(expect.arrayContaining([{ name: 'AWS_ENDPOINT_URL_S3', value: 'https://storage.yandexcloud.net' }, { name: 'AWS_REGION', value: 'ru-central1' }]));
    expect(aws.some((e: Tree) => e.name === 'AWS_ENDPOINT_URL_S3')).toBe(false);
  });
});

describe('the backup checks fail on', () => {
  let objects: K8sObject[];

  beforeEach(() => {
    objects = render(YANDEX);
  });

  it('a misspelled field', () => {
    container(objects, 'snapshot-taker').imagePullPolice = 'Always';

    expect(checkBackupObjects(objects, 'x').join('\n')).toMatch(/initContainers\/1\/imagePullPolice: unknown field/);
  });

  it('an environment variable the container does not know', () => {
    container(objects, 's3-uploader').env.push({ name: 'S3_BUCKETT', value: 'b' });

    expect(checkBackupObjects(objects, 'x')).toEqual(['x CronJob/vault-raft-backup container s3-uploader: env S3_BUCKETT is not a variable s3-uploader knows']);
  });

  it('a missing required variable', () => {
    const c = container(objects, 's3-uploader');
    c.env = c.env.filter((e: Tree) => e.name !== 'S3_BUCKET');

    expect(checkBackupObjects(objects, 'x')).toEqual(['x CronJob/vault-raft-backup container s3-uploader: required env S3_BUCKET is not set']);
  });

  it('a secret passed as an env value instead of a file', () => {
    const c = container(objects, 'approle-login');
    c.env = c.env.filter((e: Tree) => e.name !== 'VAULT_SECRET_ID_FILE');
    c.env.push({ name: 'VAULT_SECRET_ID', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } });

    expect(checkBackupObjects(objects, 'x').join('\n')).toMatch(/env VAULT_SECRET_ID takes a Secret as a value/);
  });

  it('a token path that differs between the two steps', () => {
    container(objects, 'snapshot-taker').env.find((e: Tree) => e.name === 'VAULT_TOKEN_FILE').value = '/vault-token/other';

    expect(checkBackupObjects(objects, 'x').join('\n')).toMatch(/approle-login.VAULT_TOKEN_FILE -> snapshot-taker.VAULT_TOKEN_FILE: paths differ/);
  });

  it('a *_FILE that is not on a mounted volume', () => {
    container(objects, 's3-uploader').env.find((e: Tree) => e.name === 'SNAPSHOT_FILE').value = '/tmp/vault.snap';

    expect(checkBackupObjects(objects, 'x').join('\n')).toMatch(/s3-uploader: env SNAPSHOT_FILE=\/tmp\/vault.snap is not on a mounted volume/);
  });

  it('a secret file name that the Secret volume does not project', () => {
    container(objects, 'approle-login').env.find((e: Tree) => e.name === 'VAULT_ROLE_ID_FILE').value = '/var/run/secrets/vault-raft-backup/approle/role_id';

    expect(checkBackupObjects(objects, 'x').join('\n')).toMatch(/Secret volume approle has no item with path role_id/);
  });

  it('a writable mount where a step only reads, and a token on disk', () => {
    container(objects, 's3-uploader').volumeMounts[0].readOnly = false;
    backupPod(objects).volumes[0].emptyDir = { sizeLimit: '1Mi' };

    const problems = checkBackupObjects(objects, 'x').join('\n');

    expect(problems).toMatch(/s3-uploader only reads it, so mount \/snapshot readOnly/);
    expect(problems).toMatch(/emptyDir vault-token must have medium: Memory/);
  });

  it('an image that does not match the package name or version', () => {
    container(objects, 's3-uploader').image = 'ghcr.io/vault-raft-backup/uploader:0.1.0';
    container(objects, 'approle-login').image = 'ghcr.io/vault-raft-backup/approle-login:9.9.9';

    const problems = checkBackupObjects(objects, 'x').join('\n');

    expect(problems).toMatch(/image ghcr.io\/vault-raft-backup\/uploader:0.1.0 is not named after the package s3-uploader/);
    expect(problems).toMatch(/image tag 9.9.9 differs from the package version/);
  });

  it('steps in the wrong order', () => {
    const pod = backupPod(objects);
    pod.initContainers.reverse();

    expect(checkBackupObjects(objects, 'x').join('\n')).toMatch(/approle-login must start before snapshot-taker/);
  });

  it('pods that the NetworkPolicy no longer selects', () => {
    const cron = objects.find((o) => o.kind === 'CronJob') as Tree;
    cron.spec.jobTemplate.spec.template.metadata.labels['app.kubernetes.io/name'] = 'renamed';

    expect(checkBackupObjects(objects, 'x').join('\n')).toMatch(/no NetworkPolicy selects its pods/);
  });

  it('a container that breaks the security rules', () => {
    const c = container(objects, 'snapshot-taker');
    c.securityContext = { ...c.securityContext, readOnlyRootFilesystem: false, allowPrivilegeEscalation: true };
    delete c.resources.limits;

    const problems = checkBackupObjects(objects, 'x').join('\n');

    expect(problems).toMatch(/snapshot-taker: readOnlyRootFilesystem must be true/);
    expect(problems).toMatch(/snapshot-taker: allowPrivilegeEscalation must be false/);
    expect(problems).toMatch(/snapshot-taker: resources.limits.memory is missing/);
  });
});

describe('npm test on an edited copy of the manifests', () => {
  let copy: string;
  // Problems of the unedited copy, so that each test sees only what its edit caused.
  let before: Set<string>;
  const added = () => checkAll(copy).problems.filter((p) => !before.has(p));

  beforeEach(() => {
    copy = mkdtempSync(join(tmpdir(), 'manifests-'));
    cpSync(join(MANIFESTS_DIR, 'backup'), join(copy, 'backup'), { recursive: true });
    cpSync(join(MANIFESTS_DIR, 'restore'), join(copy, 'restore'), { recursive: true });
    cpSync(join(MANIFESTS_DIR, 'drill'), join(copy, 'drill'), { recursive: true });
    before = new Set(checkAll(copy).problems);
  });

  afterEach(() => {
    rmSync(copy, { recursive: true, force: true });
  });

  it('fails for every overlay when the base gets a misspelled field', () => {
    const file = join(copy, 'backup', 'base', 'cronjob.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replaceAll('imagePullPolicy: IfNotPresent', 'imagePullPolice: IfNotPresent'));

    const problems = added();

    expect(new Set(problems.map((p) => p.split(' ')[0]))).toEqual(new Set(overlayDirs(copy).map((d) => d.slice(copy.length + 1))));
    expect(problems.every((p) => p.includes('unknown field "imagePullPolice"'))).toBe(true);
  });

  it('fails when an overlay patch sets an unknown variable', () => {
    const file = join(copy, 'backup', 'overlays', 'yandex', 's3-uploader-env.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('name: BACKUP_RETAIN', 'name: BACKUP_RETAINS'));

    expect(added()).toEqual(['backup/overlays/yandex CronJob/vault-raft-backup container s3-uploader: env BACKUP_RETAINS is not a variable s3-uploader knows']);
  });
});

describe('the kubernetes-auth component', () => {
  let objects: K8sObject[];

  beforeEach(() => {
    objects = render(KUBERNETES_AUTH);
  });

  it('swaps approle-login for kubernetes-login, first of the steps, with the same token file', () => {
    const pod = backupPod(objects);

    expect([...pod.initContainers, ...pod.containers].map((c: Tree) => c.name)).toEqual(['kubernetes-login', 'snapshot-taker', 's3-uploader']);
    const tokenFile = (name: string) => container(objects, name).env.find((e: Tree) => e.name === 'VAULT_TOKEN_FILE').value;
    expect(tokenFile('kubernetes-login')).toBe(tokenFile('snapshot-taker'));
  });

  it('mounts a projected ServiceAccount token for audience vault that expires in 10 minutes, and keeps automountServiceAccountToken off', () => {
    const pod = backupPod(objects);
    const volume = pod.volumes.find((v: Tree) => v.name === 'vault-serviceaccount-token');

    expect(volume.projected.sources).toEqual([{ serviceAccountToken: { audience: 'vault', expirationSeconds: 600, path: 'token' } }]);
    expect(container(objects, 'kubernetes-login').env).toContainEqual({ name: 'VAULT_JWT_FILE', value: '/var/run/secrets/vault-raft-backup/serviceaccount/token' });
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(objects.find((o) => o.kind === 'ServiceAccount')?.automountServiceAccountToken).toBe(false);
  });

  it('leaves no Secret in the backup pod: neither the AppRole one nor, with IRSA, the S3 keys', () => {
    expect(JSON.stringify(backupPod(objects))).not.toMatch(/"secret":|secretName|secretKeyRef|approle/);
  });

  it('after push-metrics, keeps the metrics variables that component gave approle-login, and passes every check', () => {
    const copy = mkdtempSync(join(tmpdir(), 'manifests-'));
    try {
      cpSync(join(MANIFESTS_DIR, 'backup'), join(copy, 'backup'), { recursive: true });
      cpSync(join(MANIFESTS_DIR, 'monitoring'), join(copy, 'monitoring'), { recursive: true });
      const overlay = join(copy, 'backup', 'overlays', 'aws-irsa-kubernetes-auth');
      writeFileSync(join(overlay, 'kustomization.yaml'), 'resources: [../aws-irsa]\ncomponents: [../../../monitoring/push-metrics, ../../components/kubernetes-auth]\n');

      const rendered = render(overlay);

      expect(container(rendered, 'kubernetes-login').env.map((e: Tree) => e.name)).toEqual(expect.arrayContaining(['VAULT_ADDR', 'VAULT_TOKEN_FILE', 'PROMETHEUS_PUSHGATEWAY_URL', 'METRICS_INSTANCE']));
      expect(checkBackupObjects(rendered, 'x')).toEqual([]);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });

  it('fails the render loudly when the first init container is not approle-login', () => {
    const copy = mkdtempSync(join(tmpdir(), 'manifests-'));
    try {
      cpSync(join(MANIFESTS_DIR, 'backup'), join(copy, 'backup'), { recursive: true });
      const base = join(copy, 'backup', 'base', 'cronjob.yaml');
      writeFileSync(base, readFileSync(base, 'utf8').replace('- name: approle-login', '- name: approle-login-renamed'));

      expect(() => render(join(copy, 'backup', 'overlays', 'aws-irsa-kubernetes-auth'))).toThrow(/test failed: \/spec\/jobTemplate\/spec\/template\/spec\/initContainers\/0\/name is not "approle-login"/);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });
});

describe('the backup checks of Kubernetes auth fail on', () => {
  let objects: K8sObject[];
  const tokenVolume = () => backupPod(objects).volumes.find((v: Tree) => v.name === 'vault-serviceaccount-token');

  beforeEach(() => {
    objects = render(KUBERNETES_AUTH);
  });

  it('a token without audience or expiry, or one that lives for a day', () => {
    const source = tokenVolume().projected.sources[0].serviceAccountToken;
    delete source.audience;
    delete source.expirationSeconds;
    const problems = checkBackupObjects(objects, 'x').join('\n');
    source.expirationSeconds = 86400;

    expect(problems).toMatch(/kubernetes-login: the projected token of volume vault-serviceaccount-token has no audience/);
    expect(problems).toMatch(/has no expirationSeconds: set a short one/);
    expect(checkBackupObjects(objects, 'x').join('\n')).toMatch(/lives 86400 s: keep it at most 3600 s/);
  });

  it('VAULT_JWT_FILE unset: the default path exists only with automount, which the pod turns off', () => {
    const c = container(objects, 'kubernetes-login');
    c.env = c.env.filter((e: Tree) => e.name !== 'VAULT_JWT_FILE');

    expect(checkBackupObjects(objects, 'x')).toEqual([expect.stringMatching(/kubernetes-login: VAULT_JWT_FILE is unset, so it reads \/var\/run\/secrets\/kubernetes.io\/serviceaccount\/token/)]);
  });

  it('a JWT file on a volume that is not a projected token, or a path the volume does not hold', () => {
    tokenVolume().projected.sources[0].serviceAccountToken.path = 'jwt';

    const problems = checkBackupObjects(objects, 'x').join('\n');

    expect(problems).toMatch(/env VAULT_JWT_FILE=\/var\/run\/secrets\/vault-raft-backup\/serviceaccount\/token: the projected volume vault-serviceaccount-token has no source with path token/);
    expect(problems).toMatch(/is not a projected serviceAccountToken \(volume vault-serviceaccount-token\)/);
  });

  it('a writable token mount, and a variable kubernetes-login does not know', () => {
    const c = container(objects, 'kubernetes-login');
    c.volumeMounts.find((m: Tree) => m.name === 'vault-serviceaccount-token').readOnly = false;
    c.env.push({ name: 'VAULT_ROLE_ID_FILE', value: '/x' });

    const problems = checkBackupObjects(objects, 'x').join('\n');

    expect(problems).toMatch(/kubernetes-login only reads it, so mount \/var\/run\/secrets\/vault-raft-backup\/serviceaccount readOnly/);
    expect(problems).toMatch(/env VAULT_ROLE_ID_FILE is not a variable kubernetes-login knows/);
  });

  it('both login steps in one pod', () => {
    const pod = backupPod(objects);
    pod.initContainers.unshift({ ...structuredClone(pod.initContainers[0]), name: 'approle-login', image: 'ghcr.io/vault-raft-backup/approle-login:0.1.0' });

    expect(checkBackupObjects(objects, 'x').join('\n')).toMatch(/approle-login and kubernetes-login both write it: keep one/);
  });
});
