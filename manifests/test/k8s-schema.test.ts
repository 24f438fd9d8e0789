import { validateStrict } from '../src/k8s-schema';

// biome-ignore lint/suspicious/noExplicitAny: a fixture the tests mutate at arbitrary depth.
type Fixture = any;

function cronJob(): Fixture {
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'c', labels: { 'any.example/label': 'x' } },
    spec: {
      schedule: '17 3 * * *',
      timeZone: 'Etc/UTC',
      jobTemplate: {
        spec: {
          template: {
            spec: {
              restartPolicy: 'Never',
              containers: [
                {
                  name: 'main',
                  image: 'img:1',
                  securityContext: { readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
                  resources: { limits: { cpu: '1', memory: '1Gi' } },
                  env: [{ name: 'A', value: 'b' }],
                },
              ],
              volumes: [{ name: 'v', emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } }],
            },
          },
        },
      },
    },
  };
}

const pod = (o: Fixture) => o.spec.jobTemplate.spec.template.spec;

describe('strict Kubernetes schema validation', () => {
  it('accepts a valid object, with free-form maps such as labels and resource limits', () => {
    expect(validateStrict(cronJob())).toEqual([]);
  });

  it.each([
    ['a container field', (o: Fixture) => (pod(o).containers[0].imagePullPolice = 'Always'), '/spec/jobTemplate/spec/template/spec/containers/0/imagePullPolice'],
    ['a misspelled securityContext', (o: Fixture) => (pod(o).containers[0].secruityContext = {}), 'containers/0/secruityContext'],
    ['a pod spec field', (o: Fixture) => (pod(o).restartPolicyy = 'Never'), 'spec/restartPolicyy'],
    ['a CronJob spec field', (o: Fixture) => (o.spec.concurencyPolicy = 'Forbid'), '/spec/concurencyPolicy'],
    ['an env entry field', (o: Fixture) => (pod(o).containers[0].env[0].valu = 'x'), 'env/0/valu'],
    ['a volume source field', (o: Fixture) => (pod(o).volumes[0].emptyDir.size = '1Mi'), 'emptyDir/size'],
    ['a metadata field', (o: Fixture) => (o.metadata.lables = {}), '/metadata/lables'],
    ['a top-level field', (o: Fixture) => (o.spex = {}), '/spex'],
  ])('rejects an unknown field in %s', (_what, mutate, pointer) => {
    const o = cronJob();
    mutate(o);

    const problems = validateStrict(o);

    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(pointer);
    expect(problems[0]).toContain('unknown field');
  });

  it('rejects a wrong type and a bad enum value, as the schema says', () => {
    const o = cronJob();
    o.spec.jobTemplate.spec.template.spec.restartPolicy = 'Sometimes';
    o.spec.successfulJobsHistoryLimit = 'three';

    const problems = validateStrict(o).join('\n');

    expect(problems).toMatch(/restartPolicy must be equal to one of the allowed values/);
    expect(problems).toMatch(/successfulJobsHistoryLimit must be integer/);
  });

  it('rejects a missing required field', () => {
    const o = cronJob();
    delete o.spec.jobTemplate.spec.template.spec.containers[0].name;

    expect(validateStrict(o).join('\n')).toMatch(/containers\/0 must have required property name/);
  });

  it('validates fragments such as a container from Helm values', () => {
    expect(validateStrict({ name: 'x', image: 'i', readOnly: true }, 'fragment/Container')).toEqual(['/readOnly: unknown field "readOnly"']);
  });

  it('reports a kind it has no schema for instead of passing it', () => {
    expect(validateStrict({ apiVersion: 'example.org/v1', kind: 'Widget', metadata: { name: 'w' } })[0]).toMatch(/no schema for example.org\/v1\/Widget/);
  });
});
