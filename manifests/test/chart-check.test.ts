import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chartOf, checkAgainstChart, unknownKeyPaths } from '../src/chart-check';
import { helmMerge } from '../src/helm-values';

/** A tiny stand-in for the chart's values.yaml and values.schema.json (the real files stay outside the repository). */
const VALUES = `server:
  extraInitContainers: null
  volumes: null
  extraEnvironmentVars: {}
  ha:
    enabled: false
    replicas: 3
    raft:
      enabled: false
      config: |
        ui = true
`;

const SCHEMA = {
  $schema: 'https://json-schema.org/draft-07/schema#',
  type: 'object',
  properties: {
    server: {
      type: 'object',
      properties: {
        extraInitContainers: { type: ['null', 'array'] },
        ha: { type: 'object', properties: { replicas: { type: 'integer' }, raft: { type: 'object', properties: { enabled: { type: 'boolean' } } } } },
      },
    },
  },
};

let chart: string;

beforeAll(() => {
  chart = mkdtempSync(join(tmpdir(), 'chart-'));
  writeFileSync(join(chart, 'values.yaml'), VALUES);
  writeFileSync(join(chart, 'values.schema.json'), JSON.stringify(SCHEMA));
  writeFileSync(join(chart, 'Chart.yaml'), 'apiVersion: v2\nname: openbao\nversion: 0.29.2\n');
});

afterAll(() => {
  rmSync(chart, { recursive: true, force: true });
});

function valuesFile(name: string, text: string): string {
  const file = join(chart, name);
  writeFileSync(file, text);
  return file;
}

describe('check against the real chart files', () => {
  it('passes values whose keys the chart has and whose types its schema accepts', () => {
    const file = valuesFile('ok.yaml', 'server:\n  extraInitContainers: [{name: x}]\n  extraEnvironmentVars: {ANY_NAME: v}\n  ha: {replicas: 5, raft: {enabled: true}}\n');

    expect(checkAgainstChart(chart, [file])).toEqual([]);
  });

  it('fails on a key that values.yaml does not have, which the schema alone lets through', () => {
    const file = valuesFile('typo.yaml', 'server:\n  extraInitContainer: []\n  ha: {raft: {enabeld: true}}\n');

    expect(checkAgainstChart(chart, [file])).toEqual([`${file}: server.extraInitContainer is not a value of the chart`, `${file}: server.ha.raft.enabeld is not a value of the chart`]);
  });

  it('fails on a type the schema rejects after merging over the defaults', () => {
    const file = valuesFile('type.yaml', 'server:\n  ha: {replicas: "3"}\n');

    expect(checkAgainstChart(chart, [file])).toEqual([`${file}: /server/ha/replicas must be integer`]);
  });
});

describe('which chart a folder holds', () => {
  it('reads name and version from Chart.yaml', () => {
    expect(chartOf(chart)).toEqual({ chart: 'openbao', version: '0.29.2' });
  });

  it('refuses a chart that is neither vault nor openbao', () => {
    const other = mkdtempSync(join(tmpdir(), 'chart-'));
    writeFileSync(join(other, 'Chart.yaml'), 'apiVersion: v2\nname: consul\nversion: 1.0.0\n');

    expect(() => chartOf(other)).toThrow(/names chart consul, not vault or openbao/);
    rmSync(other, { recursive: true, force: true });
  });
});

describe('Helm value merging', () => {
  it('merges maps, replaces lists and deletes keys set to null', () => {
    const merged = helmMerge({ a: { list: [1, 2], keep: 1, drop: 2 } }, { a: { list: [3], drop: null } });

    expect(merged).toEqual({ a: { list: [3], keep: 1 } });
  });

  it('allows anything below a free-form default (an empty map or null)', () => {
    expect(unknownKeyPaths({ server: { extraEnvironmentVars: { X: '1' }, volumes: [{ name: 'v' }] } }, { server: { extraEnvironmentVars: {}, volumes: null } })).toEqual([]);
  });
});
