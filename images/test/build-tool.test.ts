import { accessSync, chmodSync, constants, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { exec } from '../src/exec';
import { ENTRYPOINTS } from '../src/images';

const script = resolve(__dirname, '..', 'build.sh');
/** What build.sh runs besides the container tool (only these are on the test's PATH, so no real docker, podman or buildah is found). */
const HOST_COMMANDS = ['awk', 'cat', 'dirname', 'git', 'install', 'mkdir', 'mktemp', 'node', 'rm', 'tar'];

/** A fake container tool: logs each call; `fails` lists the first arguments it fails on ('*' for all). */
function fakeTool(bin: string, name: string, fails: string[]): void {
  const log = join(bin, `${name}.log`);
  const failing = fails.join('|');
  const body = [
    '#!/bin/sh',
    `echo "$*" >> '${log}'`,
    failing ? `case "$1" in ${failing}) echo "${name}: cannot connect" >&2; exit 1 ;; esac` : '',
    `if [ "$1" = image ] || [ "$1" = inspect ]; then echo "sha256:from-${name}"; fi`,
    'exit 0',
  ].join('\n');
  writeFileSync(join(bin, name), `${body}\n`);
  chmodSync(join(bin, name), 0o755);
}

function which(command: string): string {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const path = join(dir, command);
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // not in this folder
    }
  }
  throw new Error(`${command} is not on PATH`);
}

interface Setup {
  dir: string;
  bin: string;
  calls: (tool: string) => string[];
  build: (env?: Record<string, string>) => ReturnType<typeof exec>;
}

/** A bin folder with the host commands and fake tools, and a --bundles-from tree with one tiny bundle. */
function setup(tools: Record<string, string[]>): Setup {
  const dir = mkdtempSync(join(tmpdir(), 'build-tool-'));
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  for (const command of HOST_COMMANDS) symlinkSync(which(command), join(bin, command));
  for (const [name, fails] of Object.entries(tools)) fakeTool(bin, name, fails);
  const pkg = join(dir, 'bundles', 'packages', 'snapshot-taker');
  mkdirSync(join(pkg, 'dist'), { recursive: true });
  writeFileSync(join(pkg, 'package.json'), '{"name":"@vault-raft-backup/snapshot-taker","version":"9.9.9"}\n');
  writeFileSync(join(pkg, 'dist', 'snapshot-taker.cjs'), '// bundle\n');
  return {
    dir,
    bin,
    calls: (tool) => (existsSync(join(bin, `${tool}.log`)) ? readFileSync(join(bin, `${tool}.log`), 'utf8').trim().split('\n') : []),
    build: (env = {}) =>
      exec(which('bash'), [script, '--prebuilt', '--only', 'snapshot-taker', '--bundles-from', join(dir, 'bundles')], { env: { PATH: bin, HOME: dir, IMAGE_REGISTRY: 'test.invalid/vrb', ...env }, timeoutMs: 30_000 }),
  };
}

const first = (calls: string[]) => calls.map((c) => c.split(' ')[0]);

describe('build.sh picks the first container tool that works here', () => {
  const made: Setup[] = [];
  const make = (tools: Record<string, string[]>) => {
    const s = setup(tools);
    made.push(s);
    return s;
  };
  afterAll(() => {
    for (const s of made) rmSync(s.dir, { recursive: true, force: true });
  });

  it('when the docker CLI is installed but its daemon is not running, it builds with podman', async () => {
    const s = make({ docker: ['info', 'build'], podman: [] });
    const result = await s.build();
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('test.invalid/vrb/snapshot-taker:9.9.9 sha256:from-podman\n');
    expect(s.calls('docker')).toEqual(['info']);
    expect(first(s.calls('podman'))).toEqual(['info', 'build', 'image']);
  });

  it('when neither docker nor podman works, it builds with buildah', async () => {
    const s = make({ docker: ['*'], podman: ['*'], buildah: [] });
    const result = await s.build();
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('test.invalid/vrb/snapshot-taker:9.9.9 sha256:from-buildah\n');
    expect(first(s.calls('buildah'))).toEqual(['version', 'build', 'inspect']);
  });

  it('when docker works, docker is used and podman is not even asked', async () => {
    const s = make({ docker: [], podman: [] });
    expect((await s.build()).code).toBe(0);
    expect(first(s.calls('docker'))).toEqual(['info', 'build', 'image']);
    expect(s.calls('podman')).toEqual([]);
  });

  it('CONTAINER_TOOL still decides, without probing, even for a tool that does not work', async () => {
    const s = make({ docker: ['*'], podman: [] });
    const result = await s.build({ CONTAINER_TOOL: 'docker' });
    expect(result.code).not.toBe(0);
    expect(s.calls('docker')).toEqual([expect.stringMatching(/^build /)]);
    expect(s.calls('podman')).toEqual([]);
  });

  it('when every installed tool fails its probe, it exits 2 naming the probes, and builds nothing', async () => {
    const s = make({ docker: ['*'] });
    const result = await s.build();
    expect(result.code).toBe(2);
    expect(result.stderr).toBe("images/build.sh: no working container tool ('docker info' failed: is the docker daemon running?); choose one with --tool or CONTAINER_TOOL\n");
    expect(s.calls('docker')).toEqual(['info']);
  });
});

describe('build.sh builds every entrypoint', () => {
  it('without --only it builds exactly the entrypoints the image tests check, kubernetes-login included, in their order', async () => {
    const s = setup({ buildah: [] });
    try {
      for (const name of ENTRYPOINTS) {
        const pkg = join(s.dir, 'bundles', 'packages', name);
        mkdirSync(join(pkg, 'dist'), { recursive: true });
        writeFileSync(join(pkg, 'package.json'), `{"name":"@vault-raft-backup/${name}","version":"1.2.3"}\n`);
        writeFileSync(join(pkg, 'dist', `${name}.cjs`), '// bundle\n');
      }

      const result = await exec(which('bash'), [script, '--prebuilt', '--bundles-from', join(s.dir, 'bundles')], { env: { PATH: s.bin, HOME: s.dir, IMAGE_REGISTRY: 'test.invalid/vrb' }, timeoutMs: 30_000 });

      expect(result.code).toBe(0);
      expect(result.stdout.trim().split('\n').map((l) => l.split(' ')[0])).toEqual(ENTRYPOINTS.map((n) => `test.invalid/vrb/${n}:1.2.3`));
      expect(s.calls('buildah').filter((c) => c.startsWith('build ')).map((c) => /PACKAGE=(\S+)/.exec(c)?.[1])).toEqual([...ENTRYPOINTS]);
    } finally {
      rmSync(s.dir, { recursive: true, force: true });
    }
  });
});
