import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createServiceAccountIssuer, setUpServiceAccountAuth, startVaultDouble, type VaultDouble } from '@vault-raft-backup/testkit';
import { exec } from '../src/exec';
import { buildImages, buildStandInBase, bundleFile, ENTRYPOINTS, type Entrypoint, imageTag, inspectImage, packageVersion } from '../src/images';
import { type OciArchiveInfo, readOciArchive } from '../src/oci-archive';
import { createSandbox, missingContainerTools, type Sandbox } from '../src/sandbox';

const root = resolve(__dirname, '..', '..');
const missing = missingContainerTools();

interface RunOptions {
  entrypoint?: string;
  network?: string;
  env?: Record<string, string>;
  volume?: string;
  /** `--read-only`, as the manifests run every container (readOnlyRootFilesystem). */
  readOnly?: boolean;
  user?: string;
}

/** Runs a command in an image with the sandbox's podman; no network unless asked. */
function podmanRun(sandbox: Sandbox, tag: string, args: string[], opts: RunOptions = {}) {
  const flags = ['run', '--rm', '--network', opts.network ?? 'none'];
  if (opts.entrypoint) flags.push('--entrypoint', opts.entrypoint);
  if (opts.volume) flags.push('--volume', opts.volume);
  if (opts.readOnly) flags.push('--read-only');
  if (opts.user) flags.push('--user', opts.user);
  for (const [key, value] of Object.entries(opts.env ?? {})) flags.push('--env', `${key}=${value}`);
  return exec('podman', [...flags, tag, ...args], { env: sandbox.env, timeoutMs: 60_000 });
}

/** Evaluates a Node expression inside the image and returns its JSON result. */
async function nodeIn(sandbox: Sandbox, tag: string, expression: string): Promise<unknown> {
  const result = await podmanRun(sandbox, tag, ['-e', `process.stdout.write(JSON.stringify(${expression}))`], { entrypoint: '/nodejs/bin/node' });
  if (result.code !== 0) throw new Error(`node in ${tag} exited with ${result.code}: ${result.stderr}`);
  return JSON.parse(result.stdout);
}

/** A Vault token with these policies, created with the double's root token. */
async function createToken(vault: VaultDouble, policies: string[]): Promise<string> {
  const res = await fetch(`${vault.url}/v1/auth/token/create`, { method: 'POST', headers: { 'x-vault-token': vault.rootToken }, body: JSON.stringify({ policies }) });
  const body = (await res.json()) as { auth?: { client_token?: string } };
  if (!body.auth?.client_token) throw new Error(`token create returned ${res.status}`);
  return body.auth.client_token;
}

const FORBIDDEN_PATHS = ['/bin/sh', '/bin/bash', '/bin/busybox', '/usr/bin/sh', '/usr/bin/apt', '/usr/bin/dpkg', '/sbin/apk', '/nodejs/bin/npm', '/usr/bin/npm', '/usr/local/bin/npm', '/app/node_modules'];

if (missing.length > 0) {
  test('the image tests report in one line that they did not run, and fail on CI', () => {
    process.stdout.write('container tools not found: image tests not run (install buildah podman runc)\n');
    expect(process.env.CI).not.toBe('true');
  });
} else {
  describe('entrypoint images built FROM the distroless stand-in', () => {
    let sandbox: Sandbox;
    let tags: Map<Entrypoint, string>;
    let baseLayers: number;
    const archives = new Map<Entrypoint, OciArchiveInfo>();
    const tagOf = (name: Entrypoint): string => {
      const tag = tags.get(name);
      if (!tag) throw new Error(`no image was built for ${name}`);
      return tag;
    };

    beforeAll(async () => {
      for (const name of ENTRYPOINTS) {
        if (!existsSync(bundleFile(root, name))) throw new Error(`${bundleFile(root, name)} is missing: run npx turbo run build first`);
      }
      sandbox = await createSandbox();
      baseLayers = (await inspectImage(sandbox, await buildStandInBase(sandbox, root))).layers;
      tags = await buildImages(sandbox, root, { exportDir: join(sandbox.dir, 'oci') });
      for (const name of ENTRYPOINTS) archives.set(name, await readOciArchive(join(sandbox.dir, 'oci', `${name}-${packageVersion(root, name)}.oci.tar`)));
    }, 240_000);

    afterAll(async () => {
      await sandbox?.close();
    });

    describe('snapshot-taker on the host network namespace', () => {
      let vault: VaultDouble;
      let work: string;
      beforeAll(async () => {
        vault = await startVaultDouble();
        await vault.writePolicy('snapshot', 'path "sys/storage/raft/snapshot" { capabilities = ["read"] }');
        work = mkdtempSync(join(tmpdir(), 'image-step-'));
        chmodSync(work, 0o777); // written by uid 65532 in the container
      });
      afterAll(async () => {
        await vault?.close();
        if (work) rmSync(work, { recursive: true, force: true });
      });

      test('takes a snapshot from the Vault double into a mounted volume and revokes its token', async () => {
        const token = await createToken(vault, ['snapshot']);
        const env = { VAULT_ADDR: vault.url, VAULT_TOKEN: token, SNAPSHOT_FILE: '/snapshots/vault.snap', VAULT_MAX_RETRIES: '1' };
        const result = await podmanRun(sandbox, tagOf('snapshot-taker'), [], { network: 'host', env, volume: `${work}:/snapshots` });
        expect(result.stderr).toBe('');
        expect(result.code).toBe(0);
        const record = JSON.parse(readFileSync(join(work, 'vault.snap.json'), 'utf8')) as { sha256: string; bytes: number };
        const bytes = readFileSync(join(work, 'vault.snap'));
        expect(readdirSync(work).sort()).toEqual(['vault.snap', 'vault.snap.json']);
        expect(record).toMatchObject({ sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length });
        expect((await fetch(`${vault.url}/v1/auth/token/lookup-self`, { headers: { 'x-vault-token': token } })).status).toBe(403);
        expect(result.stdout).not.toContain(token);
      });
    });

    describe('kubernetes-login on the host network namespace', () => {
      let vault: VaultDouble;
      let work: string;
      const issuer = createServiceAccountIssuer();
      beforeAll(async () => {
        vault = await startVaultDouble();
        await vault.writePolicy('snapshot', 'path "sys/storage/raft/snapshot" { capabilities = ["read"] }');
        await setUpServiceAccountAuth(vault, { publicKeyPem: issuer.publicKeyPem, role: 'backup', namespace: 'backup', serviceAccount: 'vault-raft-backup', policies: ['snapshot'] });
        work = mkdtempSync(join(tmpdir(), 'image-login-'));
        for (const dir of ['sa', 'vault-token']) mkdirSync(join(work, dir));
        for (const dir of [work, join(work, 'vault-token')]) chmodSync(dir, 0o777); // written by uid 65532 in the container
      });
      afterAll(async () => {
        await vault?.close();
        if (work) rmSync(work, { recursive: true, force: true });
      });

      test('logs in with a ServiceAccount token from a mounted volume and writes the Vault token', async () => {
        const jwt = issuer.mint({ namespace: 'backup', serviceAccount: 'vault-raft-backup' });
        writeFileSync(join(work, 'sa', 'token'), jwt, { mode: 0o644 });
        const env = { VAULT_ADDR: vault.url, VAULT_AUTH_ROLE: 'backup', VAULT_JWT_FILE: '/work/sa/token', VAULT_TOKEN_FILE: '/work/vault-token/token', VAULT_MAX_RETRIES: '1' };
        const result = await podmanRun(sandbox, tagOf('kubernetes-login'), [], { network: 'host', env, volume: `${work}:/work` });
        expect(result.stderr).toBe('');
        expect(result.code).toBe(0);
        const token = readFileSync(join(work, 'vault-token', 'token'), 'utf8');
        expect((await fetch(`${vault.url}/v1/auth/token/lookup-self`, { headers: { 'x-vault-token': token } })).status).toBe(200);
        expect(result.stdout).not.toContain(token);
        expect(result.stdout).not.toContain(jwt);
      });
    });

    describe.each(ENTRYPOINTS)('%s', (name) => {
      test('is tagged <registry>/<name>:<package version>', () => {
        expect(tags.get(name)).toBe(imageTag(name, packageVersion(root, name)));
      });

      test('--help exits 0 and prints the help of the entrypoint', async () => {
        const result = await podmanRun(sandbox, tagOf(name), ['--help']);
        expect(result.stderr).toBe('');
        expect(result.code).toBe(0);
        expect(result.stdout).toContain(name);
      });

      test('runs as the non-root user 65532', async () => {
        const info = await inspectImage(sandbox, tagOf(name));
        const ids = await nodeIn(sandbox, tagOf(name), '[process.getuid(), process.getgid()]');
        expect(info.user).toBe('65532:65532');
        expect(ids).toEqual([65532, 65532]);
      });

      test('holds no shell, no package manager and no node_modules, only the bundle in /app', async () => {
        const present = await nodeIn(sandbox, tagOf(name), `${JSON.stringify(FORBIDDEN_PATHS)}.filter((p) => require('fs').existsSync(p))`);
        const app = await nodeIn(sandbox, tagOf(name), `require('fs').readdirSync('/app')`);
        const shell = await podmanRun(sandbox, tagOf(name), ['-c', 'true'], { entrypoint: '/bin/sh' });
        expect(present).toEqual([]);
        expect(app).toEqual(['compile-cache', 'main.cjs']);
        expect(shell.code).not.toBe(0);
      });

      test('on a read-only root filesystem, starts from the compile cache made at build time and writes nothing', async () => {
        const result = await podmanRun(sandbox, tagOf(name), ['--help'], { readOnly: true, env: { NODE_DEBUG_NATIVE: 'COMPILE_CACHE' } });
        expect(result.code).toBe(0);
        expect(result.stdout).toContain(name);
        expect(result.stderr).toContain('V8 code cache for CommonJS /app/main.cjs was accepted');
        expect(result.stderr).toContain('skip persisting CommonJS /app/main.cjs because cache was the same');
      });

      test('as another uid on a read-only root filesystem, where the cache does not apply, --help still exits 0 with nothing on stderr', async () => {
        const result = await podmanRun(sandbox, tagOf(name), ['--help'], { readOnly: true, user: '1000:1000' });
        expect(result.stderr).toBe('');
        expect(result.code).toBe(0);
        expect(result.stdout).toContain(name);
      });

      test('has an exec-form entrypoint and OCI source, version and revision labels', async () => {
        const info = await inspectImage(sandbox, tagOf(name));
        expect(info.entrypoint).toEqual(['/nodejs/bin/node', '/app/main.cjs']);
        expect(info.labels).toMatchObject({ 'org.opencontainers.image.title': name, 'org.opencontainers.image.version': packageVersion(root, name) });
        expect(info.labels['org.opencontainers.image.source']).toMatch(/^https:\/\//);
        expect(info.labels['org.opencontainers.image.revision']).toMatch(/^[0-9a-f]{40}$/);
      });

      test('exports as an OCI archive whose layers above the base add only /app/main.cjs and its compile cache', async () => {
        const archive = archives.get(name);
        const info = await inspectImage(sandbox, tagOf(name));
        if (!archive) throw new Error(`no OCI archive for ${name}`);
        expect(archive.layers.length).toBe(info.layers);
        const own = archive.layers.slice(baseLayers);
        const files = (await Promise.all(own.map((layer) => archive.listLayer(layer)))).flat();
        const paths = files.map((f) => f.replace(/^\.?\/?/, '').replace(/\/$/, ''));
        // the cache's folder names the Node version, V8 flags and uid; its file, the script's path
        const cache = paths.filter((p) => p.startsWith('app/compile-cache/'));
        expect(new Set(paths.filter((p) => !cache.includes(p)))).toEqual(new Set(['app', 'app/main.cjs', 'app/compile-cache']));
        expect(cache).toHaveLength(2);
        expect(cache.sort()[1]).toMatch(/^app\/compile-cache\/v24\.[^/]+-65532\/[0-9a-f]+$/);
        expect(archive.compressedSize).toBeGreaterThan(0);
        expect(archive.compressedSize).toBeLessThan(info.size);
      });
    });
  });
}
