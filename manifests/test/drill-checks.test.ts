import { join } from 'node:path';
import { checkDrillObjects } from '../src/check-drill';
import { render } from '../src/render';
import type { K8sObject } from '../src/yaml-io';

const DRILL = join(__dirname, '..', 'drill', 'overlays', 'aws');

/** The rendered drill, with one change applied to a deep copy. */
function changed(edit: (objects: K8sObject[]) => void): K8sObject[] {
  const objects = structuredClone(render(DRILL));
  edit(objects);
  return objects;
}

function podSpec(objects: K8sObject[]): { initContainers: Record<string, unknown>[]; containers: Record<string, unknown>[] } {
  const cron = objects.find((o) => o.kind === 'CronJob') as unknown as { spec: { jobTemplate: { spec: { template: { spec: never } } } } };
  return cron.spec.jobTemplate.spec.template.spec;
}

test('both drill overlays pass every check', () => {
  for (const overlay of ['aws', 'yandex']) expect(checkDrillObjects(render(join(__dirname, '..', 'drill', 'overlays', overlay)), overlay)).toEqual([]);
});

test.each([
  ['the runner pointed at the live cluster', (o: K8sObject[]) => ((podSpec(o).containers[0] as { env: { name: string; value?: string }[] }).env.find((e) => e.name === 'VAULT_ADDR') as { value: string }).value = 'http://vault-active.vault.svc:8200', /VAULT_ADDR http:\/\/vault-active\.vault\.svc:8200 is not the pod's loopback/],
  ['a Vault sidecar that is a plain init container', (o: K8sObject[]) => delete podSpec(o).initContainers[1]?.restartPolicy, /must be a native sidecar \(restartPolicy: Always\)/],
  ['a Vault image without a digest', (o: K8sObject[]) => ((podSpec(o).initContainers[1] as { image: string }).image = 'hashicorp/vault:1.21.3'), /the Vault image must be pinned by digest/],
  ['egress into the vault namespace', (o: K8sObject[]) => ((o.find((x) => x.kind === 'NetworkPolicy') as unknown as { spec: { egress: unknown[] } }).spec.egress.push({ to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'vault' } } }] })), /egress into namespace vault/],
  ['a listener on every interface', (o: K8sObject[]) => { const cm = o.find((x) => x.kind === 'ConfigMap') as unknown as { data: Record<string, string> }; cm.data['vault.hcl'] = (cm.data['vault.hcl'] ?? '').replace('"127.0.0.1:8200"', '"0.0.0.0:8200"'); }, /listener address 0\.0\.0\.0:8200 is not loopback/],
  ['no maximum age', (o: K8sObject[]) => { const f = podSpec(o).initContainers[0] as { env: { name: string }[] }; f.env = f.env.filter((e) => e.name !== 'RESTORE_MAX_AGE'); }, /RESTORE_MAX_AGE must be set/],
])('%s is a problem', (_what, edit, problem) => {
  expect(checkDrillObjects(changed(edit), 'drill').join('\n')).toMatch(problem);
});
