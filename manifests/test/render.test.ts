import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyJsonPatch } from '../src/json-patch';
import { applyImageRule, render } from '../src/render';
import { strategicMerge } from '../src/strategic-merge';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'render-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function write(files: Record<string, string>): void {
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
}

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: app
spec:
  template:
    spec:
      containers:
        - name: main
          image: example.org/team/app:1.0
          env:
            - name: A
              value: "1"
            - name: B
              value: "2"
      volumes:
        - name: data
          emptyDir: {}
`;

describe('render', () => {
  it('when a kustomization sets namespace, labels and images, it applies them to every resource', () => {
    write({
      'app.yaml': DEPLOYMENT,
      'ns.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team\n',
      'kustomization.yaml': 'namespace: team\nlabels:\n  - pairs: {tier: backend}\nimages:\n  - name: example.org/team/app\n    newName: mirror.local/app\n    newTag: "2.0"\nresources: [ns.yaml, app.yaml]\n',
    });

    const [ns, app] = render(dir);

    expect(ns?.metadata).toEqual({ name: 'team', labels: { tier: 'backend' } });
    expect(app?.metadata).toEqual({ name: 'app', namespace: 'team', labels: { tier: 'backend' } });
    expect(JSON.stringify(app)).toContain('"image":"mirror.local/app:2.0"');
  });

  it('when an overlay patches a base by name, containers and env merge by name and $patch: delete removes items', () => {
    write({ 'app.yaml': DEPLOYMENT, 'kustomization.yaml': 'resources: [app.yaml]\n' });
    const overlay = join(dir, 'overlay');
    mkdirSync(overlay);
    writeFileSync(join(overlay, 'kustomization.yaml'), 'resources: [..]\npatches:\n  - path: p.yaml\n');
    writeFileSync(
      join(overlay, 'p.yaml'),
      'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: app}\nspec:\n  template:\n    spec:\n      containers:\n        - name: main\n          env:\n            - {name: B, value: "20"}\n            - {name: C, value: "3"}\n            - {name: A, $patch: delete}\n      volumes:\n        - {name: data, $patch: delete}\n',
    );

    const [app] = render(overlay);

    const spec = (app?.spec as unknown as { template: { spec: { containers: { env: unknown[]; image: string }[]; volumes: unknown[] } } } | undefined)?.template.spec;
    expect(spec?.containers[0]?.env).toEqual([
      { name: 'B', value: '20' },
      { name: 'C', value: '3' },
    ]);
    expect(spec?.containers[0]?.image).toBe('example.org/team/app:1.0');
    expect(spec?.volumes).toEqual([]);
  });

  it('when a JSON 6902 patch has a target, it is applied to the matching resources', () => {
    write({
      'app.yaml': DEPLOYMENT,
      'kustomization.yaml': 'resources: [app.yaml]\npatches:\n  - target: {kind: Deployment, name: app}\n    patch: |\n      - op: replace\n        path: /spec/template/spec/containers/0/env/0/value\n        value: "9"\n      - op: add\n        path: /metadata/annotations\n        value: {a: b}\n',
    });

    const [app] = render(dir);

    expect(app?.metadata.annotations).toEqual({ a: 'b' });
    expect(JSON.stringify(app)).toContain('{"name":"A","value":"9"}');
  });

  it('reads YAML as kubectl does, so a leading-zero file mode is octal', () => {
    write({
      'sa.yaml': 'apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata: {}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  volumes:\n    - name: s\n      secret: {secretName: s, defaultMode: 0440}\n',
      'kustomization.yaml': 'resources: [sa.yaml]\n',
    });

    const [, pod] = render(dir);

    expect(JSON.stringify(pod)).toContain(`"defaultMode":${0o440}`);
  });

  it('fails loudly on a kustomization field it does not implement, instead of ignoring it', () => {
    write({ 'app.yaml': DEPLOYMENT, 'kustomization.yaml': 'resources: [app.yaml]\nnamePrefix: x-\n' });

    expect(() => render(dir)).toThrow(/not supported by this renderer: namePrefix/);
  });

  it('fails when a patch matches no resource (a renamed base would otherwise drop the patch silently)', () => {
    write({ 'app.yaml': DEPLOYMENT, 'p.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: other}\nspec: {}\n', 'kustomization.yaml': 'resources: [app.yaml]\npatches: [{path: p.yaml}]\n' });

    expect(() => render(dir)).toThrow(/matches no resource/);
  });

  it('fails when a resource file is missing', () => {
    write({ 'kustomization.yaml': 'resources: [nope.yaml]\n' });

    expect(() => render(dir)).toThrow(/nope.yaml does not exist/);
  });
});

describe('strategic merge', () => {
  it('replaces lists without a merge key and deletes keys set to null', () => {
    const merged = strategicMerge({ a: { args: ['x', 'y'], keep: 1, drop: 2 } }, { a: { args: ['z'], drop: null } });

    expect(merged).toEqual({ a: { args: ['z'], keep: 1 } });
  });

  it('merges volumeMounts by mountPath', () => {
    const merged = strategicMerge({ volumeMounts: [{ name: 'a', mountPath: '/a' }] }, { volumeMounts: [{ mountPath: '/a', readOnly: true }] });

    expect(merged).toEqual({ volumeMounts: [{ name: 'a', mountPath: '/a', readOnly: true }] });
  });
});

describe('JSON 6902 patch', () => {
  it('appends with "-" and removes by index', () => {
    const doc = { list: [1, 2] };

    expect(applyJsonPatch(doc, [{ op: 'add', path: '/list/-', value: 3 }, { op: 'remove', path: '/list/0' }])).toEqual({ list: [2, 3] });
    expect(doc).toEqual({ list: [1, 2] });
  });

  it('fails on a path that does not exist', () => {
    expect(() => applyJsonPatch({ a: {} }, [{ op: 'replace', path: '/a/b', value: 1 }])).toThrow(/does not exist/);
  });
});

describe('image rules', () => {
  it('retags, renames and pins by digest only the named image', () => {
    expect(applyImageRule('ghcr.io/x/app:0.1.0', { name: 'ghcr.io/x/app', newTag: '0.2.0' })).toBe('ghcr.io/x/app:0.2.0');
    expect(applyImageRule('ghcr.io/x/app:0.1.0', { name: 'ghcr.io/x/app', newName: 'registry:5000/app' })).toBe('registry:5000/app:0.1.0');
    expect(applyImageRule('ghcr.io/x/app:0.1.0', { name: 'ghcr.io/x/app', digest: 'sha256:abc' })).toBe('ghcr.io/x/app@sha256:abc');
    expect(applyImageRule('ghcr.io/x/other:0.1.0', { name: 'ghcr.io/x/app', newTag: '9' })).toBe('ghcr.io/x/other:0.1.0');
  });
});
