import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execOk } from './exec.ts';
import type { Sandbox } from './sandbox.ts';

/** The six entrypoints that ship as images, in pipeline order (the two logins are alternatives). */
export const ENTRYPOINTS = ['approle-login', 'kubernetes-login', 'snapshot-taker', 's3-uploader', 'restore-fetcher', 'restore-runner'] as const;
export type Entrypoint = (typeof ENTRYPOINTS)[number];

/** Where the base stand-in is tagged in a sandbox. */
export const STAND_IN_TAG = 'localhost/vault-raft-backup/stand-in-node:24';

/** Path of an entrypoint's bundle. */
export function bundleFile(root: string, name: Entrypoint): string {
  return join(root, 'packages', name, 'dist', `${name}.cjs`);
}

/** The package version an entrypoint's image is tagged with. */
export function packageVersion(root: string, name: Entrypoint): string {
  const pkg: unknown = JSON.parse(readFileSync(join(root, 'packages', name, 'package.json'), 'utf8'));
  const version = typeof pkg === 'object' && pkg !== null && 'version' in pkg ? pkg.version : undefined;
  if (typeof version !== 'string') throw new Error(`packages/${name}/package.json has no version`);
  return version;
}

/** `<registry>/<name>:<version>`, as images/build.sh tags it. */
export function imageTag(name: Entrypoint, version: string, registry = process.env.IMAGE_REGISTRY ?? 'ghcr.io/vault-raft-backup'): string {
  return `${registry}/${name}:${version}`;
}

/** Builds the local distroless stand-in (Node 24, uid 65532, no shell) into the sandbox with the script under root. */
export async function buildStandInBase(sandbox: Sandbox, root: string): Promise<string> {
  const out = await execOk('bash', [join(root, 'images', 'stand-in-base.sh'), '--tag', STAND_IN_TAG, '--', '--signature-policy', sandbox.policy], { env: sandbox.env });
  return out.trim();
}

export interface BuildOptions {
  names?: readonly Entrypoint[];
  /** Directory for the OCI archives (`<name>-<version>.oci.tar`). */
  exportDir?: string;
  /** Repository root holding packages/<name>/{package.json,dist} (default: this one). */
  bundlesFrom?: string;
}

/** Builds images FROM the stand-in with the fast `runtime-prebuilt` target; returns tag per entrypoint. */
export async function buildImages(sandbox: Sandbox, root: string, options: BuildOptions = {}): Promise<Map<Entrypoint, string>> {
  const args = [join(root, 'images', 'build.sh'), '--tool', 'buildah', '--prebuilt', '--base', STAND_IN_TAG, '--policy', sandbox.policy];
  for (const name of options.names ?? []) args.push('--only', name);
  if (options.exportDir) args.push('--export', options.exportDir);
  if (options.bundlesFrom) args.push('--bundles-from', options.bundlesFrom);
  const out = await execOk('bash', args, { env: sandbox.env, timeoutMs: 300_000 });
  const tags = new Map<Entrypoint, string>();
  for (const line of out.trim().split('\n')) {
    const tag = line.split(' ')[0] ?? '';
    const name = ENTRYPOINTS.find((n) => tag.includes(`/${n}:`));
    if (name) tags.set(name, tag);
  }
  return tags;
}

/** The parts of `podman image inspect` the tests and the report read. */
export interface ImageInfo {
  size: number;
  /** Number of layers (the base's plus the image's own). */
  layers: number;
  user: string;
  entrypoint: string[];
  labels: Record<string, string>;
}

/** Inspects a local image. @throws Error when the image is unknown */
export async function inspectImage(sandbox: Sandbox, tag: string): Promise<ImageInfo> {
  const out = await execOk('podman', ['image', 'inspect', tag], { env: sandbox.env });
  const [image] = JSON.parse(out) as PodmanInspect[];
  if (!image) throw new Error(`podman image inspect ${tag} returned nothing`);
  return { size: image.Size, layers: image.RootFS.Layers.length, user: image.Config.User ?? '', entrypoint: image.Config.Entrypoint ?? [], labels: image.Config.Labels ?? {} };
}

/** The fields read from podman's JSON (a subset). */
interface PodmanInspect {
  Size: number;
  RootFS: { Layers: string[] };
  Config: { User?: string; Entrypoint?: string[]; Labels?: Record<string, string> };
}
