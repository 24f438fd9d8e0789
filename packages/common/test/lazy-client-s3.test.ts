import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(__dirname, '..', '..');
/** The packages whose bundles alias @aws-sdk/client-s3 to src/s3/lazy-client-s3.cjs (their build scripts). */
const ALIASED = ['common', 's3-uploader', 'restore-fetcher'];

function sourcesOf(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sourcesOf(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

/** Names imported as values (not `type`) from @aws-sdk/client-s3 in one source file. */
function valueImportsOf(text: string): string[] {
  const names: string[] = [];
  for (const match of text.matchAll(/import\s+(type\s+)?\{([^}]*)\}\s*from\s*'@aws-sdk\/client-s3'/g)) {
    if (match[1]) continue;
    for (const spec of (match[2] ?? '').split(',')) {
      const name = spec.trim();
      if (name && !name.startsWith('type ')) names.push(name.split(/\s+as\s+/)[0] ?? name);
    }
  }
  return names;
}

describe('the lazy stand-in for @aws-sdk/client-s3 in the bundles', () => {
  const shim = require('../src/s3/lazy-client-s3.cjs') as { NAMES: string[] };

  test('lists every value the bundled sources import from @aws-sdk/client-s3', () => {
    const imported = new Set(ALIASED.flatMap((pkg) => sourcesOf(join(root, pkg, 'src')).flatMap((file) => valueImportsOf(readFileSync(file, 'utf8')))));
    expect(imported.size).toBeGreaterThan(0);
    expect([...imported].filter((name) => !shim.NAMES.includes(name))).toEqual([]);
  });

  test('lists only names the SDK exports', () => {
    const sdk = require('@aws-sdk/client-s3') as Record<string, unknown>;
    expect(shim.NAMES.filter((name) => typeof sdk[name] !== 'function')).toEqual([]);
  });

  test('no bundled source star- or default-imports the SDK, which the name check would not see', () => {
    const texts = ALIASED.flatMap((pkg) => sourcesOf(join(root, pkg, 'src')).map((file) => readFileSync(file, 'utf8')));
    expect(texts.filter((text) => /import\s+(\*\s+as\s+\w+|(?!type\b)\w+)\s*(,[^;]*)?from\s*'@aws-sdk\/client-s3'/.test(text))).toEqual([]);
  });
});
