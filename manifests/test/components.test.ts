import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyJsonPatch } from '../src/json-patch';
import { render } from '../src/render';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'components-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function write(files: Record<string, string>): void {
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
}

const POD = 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  initContainers:\n    - {name: first, image: a}\n    - {name: second, image: b}\n  containers:\n    - {name: main, image: c}\n';

describe('kustomize components in the renderer', () => {
  it('applies a component after the resources of the including kustomization and before its own patches', () => {
    write({
      'base/pod.yaml': POD,
      'base/kustomization.yaml': 'resources: [pod.yaml]\n',
      'component/kustomization.yaml':
        'apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nresources: [cm.yaml]\npatches:\n  - target: {kind: Pod, name: p}\n    patch: |\n      - op: test\n        path: /spec/initContainers/0/name\n        value: first\n      - op: replace\n        path: /spec/initContainers/0\n        value: {name: swapped, image: z}\n',
      'component/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: from-component}\n',
      'overlay/kustomization.yaml': 'namespace: ns\nresources: [../base]\ncomponents: [../component]\npatches:\n  - target: {kind: Pod}\n    patch: |\n      - op: test\n        path: /spec/initContainers/0/name\n        value: swapped\n',
    });

    const objects = render(join(dir, 'overlay'));

    // as kubectl kustomize (v5.5.0) prints this case, compared by object rather than output order
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}/${o.metadata.namespace}`).sort()).toEqual(['ConfigMap/from-component/ns', 'Pod/p/ns']);
    expect(JSON.stringify(objects.find((o) => o.kind === 'Pod'))).toContain('"initContainers":[{"name":"swapped","image":"z"},{"name":"second","image":"b"}]');
  });

  it('refuses a component that is not kind: Component, and a Component rendered alone', () => {
    write({ 'pod.yaml': POD, 'c/kustomization.yaml': 'resources: []\n', 'kustomization.yaml': 'resources: [pod.yaml]\ncomponents: [c]\n', 'alone/kustomization.yaml': 'kind: Component\n' });

    expect(() => render(dir)).toThrow(/a component must be kind: Component/);
    expect(() => render(join(dir, 'alone'))).toThrow(/a Component is used from components: of a kustomization, not rendered alone/);
  });
});

describe('JSON 6902 test operation', () => {
  it('passes when the value is equal (objects in any key order) and fails the whole patch when it is not', () => {
    const doc = { a: { x: 1, y: [1, 2] } };

    expect(applyJsonPatch(doc, [{ op: 'test', path: '/a', value: { y: [1, 2], x: 1 } }, { op: 'remove', path: '/a/x' }])).toEqual({ a: { y: [1, 2] } });
    expect(() => applyJsonPatch(doc, [{ op: 'test', path: '/a/y/0', value: 2 }])).toThrow(/test failed: \/a\/y\/0 is not 2/);
    expect(() => applyJsonPatch(doc, [{ op: 'test', path: '/a/z', value: null }])).toThrow(/test failed/);
  });
});
