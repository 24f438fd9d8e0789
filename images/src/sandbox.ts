import { accessSync, constants } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

/** The commands the image tests and the report need. */
export const CONTAINER_TOOLS = ['buildah', 'podman', 'runc'] as const;

/** Container tools that are not on PATH (empty when all are present). */
export function missingContainerTools(path = process.env.PATH ?? ''): string[] {
  const dirs = [...path.split(delimiter), '/usr/sbin', '/sbin'];
  return CONTAINER_TOOLS.filter((tool) => !dirs.some((dir) => isExecutable(join(dir, tool))));
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** A private container storage and configuration in a temp dir; nothing depends on /etc/containers. */
export interface Sandbox {
  dir: string;
  /** Environment for buildah, podman and skopeo (process.env plus the sandbox's files). */
  env: NodeJS.ProcessEnv;
  /** Signature policy file: pass as --signature-policy (buildah) or --policy (skopeo). */
  policy: string;
  /** Removes the storage and every image in it. */
  close(): Promise<void>;
}

const STORAGE_CONF = (dir: string) => `[storage]
driver = "vfs"
graphroot = "${dir}/storage"
runroot = "${dir}/run"
`;

// runc and cgroupfs work without systemd; no network unless a run asks for one; explicit
// ulimits because the defaults inherited from a CI runner can exceed what runc may set.
const CONTAINERS_CONF = (dir: string) => `[containers]
default_ulimits = ["nofile=4096:4096", "nproc=4096:4096"]
netns = "none"
log_driver = "k8s-file"

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "${dir}/events.log"
tmp_dir = "${dir}/tmp"
`;

// Only local transports are ever used: anything that would pull from a registry is refused.
const POLICY = {
  default: [{ type: 'reject' }],
  transports: Object.fromEntries(['containers-storage', 'oci', 'oci-archive', 'docker-archive'].map((t) => [t, { '': [{ type: 'insecureAcceptAnything' }] }])),
};

/** Creates a sandbox; call close() when done. */
export async function createSandbox(): Promise<Sandbox> {
  const dir = await mkdtemp(join(tmpdir(), 'vrb-images-'));
  const policy = join(dir, 'policy.json');
  await writeFile(join(dir, 'storage.conf'), STORAGE_CONF(dir));
  await writeFile(join(dir, 'containers.conf'), CONTAINERS_CONF(dir));
  await writeFile(join(dir, 'registries.conf'), 'unqualified-search-registries = []\n');
  await writeFile(policy, `${JSON.stringify(POLICY, null, 2)}\n`);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    CONTAINERS_STORAGE_CONF: join(dir, 'storage.conf'),
    CONTAINERS_CONF: join(dir, 'containers.conf'),
    CONTAINERS_REGISTRIES_CONF: join(dir, 'registries.conf'),
    BUILDAH_ISOLATION: 'chroot',
    CONTAINER_TOOL: 'buildah',
    PATH: `${process.env.PATH ?? '/usr/bin:/bin'}${delimiter}/usr/sbin${delimiter}/sbin`,
  };
  return { dir, env, policy, close: () => rm(dir, { recursive: true, force: true }) };
}
