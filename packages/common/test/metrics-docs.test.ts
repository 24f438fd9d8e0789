import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { metricCatalogue, metricsEnvShape } from '../src/index';

const DOC = readFileSync(join(__dirname, '..', '..', '..', 'docs', 'MONITORING.md'), 'utf8');

/** Rows of the Markdown table whose first cell is a code span starting with `prefix`, as cells. */
function rows(prefix: string): string[][] {
  return DOC.split('\n')
    .filter((l) => l.startsWith(`| \`${prefix}`))
    .map((l) => l.split(' | ').map((c) => c.replace(/^\| |\s*\|$/g, '').trim()));
}

const unquote = (cell: string) => cell.replace(/`/g, '');

describe('docs/MONITORING.md', () => {
  it('has one metrics table row per pushed metric, with its type, labels and steps', () => {
    const documented = rows('vault_raft_backup_').map(([name = '', type, labels = '', steps = '']) => ({ name: unquote(name), type, labels: unquote(labels).split(', '), steps: steps.split(', ') }));

    expect(documented).toEqual(metricCatalogue().map((r) => ({ name: r.name, type: r.type, labels: [...r.labels], steps: [...r.steps] })));
  });

  it('names no metric of the project that the steps do not push', () => {
    const known = new Set(metricCatalogue().map((r) => r.name));
    const mentioned = new Set([...DOC.matchAll(/\bvault_raft_backup_[a-z0-9_]*[a-z0-9]\b/g)].map((m) => m[0]).filter((n) => !n.endsWith('_')));

    expect([...mentioned].filter((n) => !known.has(n))).toEqual([]);
  });

  it('lists every metrics variable with its default', () => {
    const documented = Object.fromEntries(rows('').filter(([name = '']) => Object.hasOwn(metricsEnvShape, unquote(name))).map(([name = '', def = '']) => [unquote(name), def]));

    expect(Object.keys(documented).sort()).toEqual(Object.keys(metricsEnvShape).sort());
    expect(documented.METRICS_JOB).toBe('`vault-raft-backup`');
    expect(documented.METRICS_PUSH_TIMEOUT).toBe('`5s`');
  });
});
