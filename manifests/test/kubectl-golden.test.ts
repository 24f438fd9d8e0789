import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { overlayDirs } from '../src/check-all';
import { render } from '../src/render';
import { isRecord, readYamlDocuments } from '../src/yaml-io';

/**
 * The renderer against real kustomize: test/golden holds `kubectl kustomize`
 * output (kustomize v5.5.0) of each overlay, regenerated with `npm run golden`
 * where kubectl exists. The test itself needs no kubectl.
 */
const GOLDEN = join(__dirname, 'golden');

const MERGE_KEYS = ['name', 'mountPath', 'containerPort'];

/** Sorts keyed lists (kustomize puts patched items first) so that only content is compared. */
function normalize(v: unknown): unknown {
  if (Array.isArray(v)) {
    const items = v.map(normalize);
    const key = MERGE_KEYS.find((k) => items.length > 0 && items.every((i) => isRecord(i) && typeof i[k] !== 'undefined'));
    return key ? [...items].sort((a, b) => String((a as Record<string, unknown>)[key]).localeCompare(String((b as Record<string, unknown>)[key]))) : items;
  }
  if (!isRecord(v)) return v;
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, normalize(x)]));
}

function byId(objects: readonly unknown[]): Record<string, unknown> {
  return Object.fromEntries(
    objects.map((o) => {
      const r = o as { kind: string; metadata: { name: string } };
      return [`${r.kind}/${r.metadata.name}`, normalize(o)];
    }),
  );
}

/** Every overlay with the name of its golden file: backup overlays by name, drill overlays as drill-<name>. */
const OVERLAYS: [string, string][] = [...overlayDirs().map((d): [string, string] => [basename(d), d]), ...overlayDirs(undefined, 'drill').map((d): [string, string] => [`drill-${basename(d)}`, d])];

describe('renderer compared with kubectl kustomize', () => {
  it('has a golden file for every overlay', () => {
    const overlays = OVERLAYS.map(([name]) => name).sort();
    const goldens = readdirSync(GOLDEN)
      .map((f) => f.replace(/\.kubectl\.yaml$/, ''))
      .sort();

    expect(goldens).toEqual(overlays);
  });

  it.each(OVERLAYS)('renders overlay %s exactly as kubectl kustomize did', (name, dir) => {
    const expected = byId(readYamlDocuments(join(GOLDEN, `${name}.kubectl.yaml`)));

    const actual = byId(render(dir));

    expect(actual).toEqual(expected);
  });
});
