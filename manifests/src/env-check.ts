import { allContainers, type ContainerLike, mountFor, type PodUnderTest, type VolumeLike } from './pod';
import { parseImage } from './render';
import { type PackageInfo, packageInfo } from './specs';

/** Files a step writes: they must lie on a writable mount. */
const OUTPUT_FILES: Record<string, string[]> = {
  'approle-login': ['VAULT_TOKEN_FILE'],
  'kubernetes-login': ['VAULT_TOKEN_FILE'],
  'snapshot-taker': ['SNAPSHOT_FILE'],
  'restore-fetcher': ['SNAPSHOT_FILE'],
  // The runner writes its marker and report next to the snapshot.
  'restore-runner': ['SNAPSHOT_FILE', 'RESTORE_MARKER_FILE', 'RESTORE_REPORT_FILE'],
};

/** Files a step only reads (besides every `NAME_FILE` of a secret): they must lie on a read-only mount. */
const READ_ONLY_FILES: Record<string, string[]> = {
  'kubernetes-login': ['VAULT_JWT_FILE'],
  's3-uploader': ['SNAPSHOT_FILE'],
  'restore-runner': ['VAULT_UNSEAL_KEYS_FILE', 'RESTORE_VERIFY_TOKEN_FILE'],
};

/** Containers that are not ours: the drill's official Vault image (its own checks are in check-drill.ts). */
export const THIRD_PARTY_CONTAINERS: ReadonlySet<string> = new Set(['vault']);

/**
 * Checks every container of a pod against its package: the image names the package
 * at its version, every variable is one the package's config knows, every required
 * one is set, secrets come from files, and every `*_FILE` lies on a mounted volume
 * (read-only where the step only reads it).
 */
export function checkContainers(pod: PodUnderTest): string[] {
  const problems: string[] = [];
  for (const c of allContainers(pod)) {
    if (THIRD_PARTY_CONTAINERS.has(c.name)) continue;
    const at = `${pod.where} container ${c.name}`;
    const info = packageInfo(c.name);
    if (!info) {
      problems.push(`${at}: no package packages/${c.name} with a src/config.ts exporting spec (container name must be the package name)`);
      continue;
    }
    problems.push(...checkImage(c, info).map((p) => `${at}: ${p}`));
    problems.push(...checkEnv(c, info).map((p) => `${at}: ${p}`));
    problems.push(...checkFiles(c, info, pod).map((p) => `${at}: ${p}`));
  }
  return problems;
}

function checkImage(c: ContainerLike, info: PackageInfo): string[] {
  if (!c.image) return ['no image'];
  const img = parseImage(c.image);
  const last = img.name.split('/').pop();
  const problems: string[] = [];
  if (last !== info.name) problems.push(`image ${c.image} is not named after the package ${info.name}`);
  if (!img.digest && img.tag !== info.version) problems.push(`image tag ${img.tag ?? '(none)'} differs from the package version ${info.version}`);
  return problems;
}

function checkEnv(c: ContainerLike, info: PackageInfo): string[] {
  const problems: string[] = [];
  const set = new Set<string>();
  for (const e of c.env ?? []) {
    if (set.has(e.name)) problems.push(`env ${e.name} is set twice`);
    set.add(e.name);
    if (!info.known.has(e.name)) problems.push(`env ${e.name} is not a variable ${info.name} knows`);
    if (e.valueFrom && 'secretKeyRef' in e.valueFrom) problems.push(`env ${e.name} takes a Secret as a value: mount it and use a *_FILE variable`);
  }
  for (const name of info.required) {
    const viaFile = info.fileVars.includes(name) && set.has(`${name}_FILE`);
    if (!set.has(name) && !viaFile) problems.push(`required env ${name}${info.fileVars.includes(name) ? ` (or ${name}_FILE)` : ''} is not set`);
  }
  for (const name of info.fileVars) {
    if (set.has(name) && set.has(`${name}_FILE`)) problems.push(`env ${name} and ${name}_FILE are both set`);
  }
  return problems;
}

/** The file paths a projected volume holds (every source's own path and items), or undefined for another kind of volume. */
function projectedPaths(volume: VolumeLike): string[] | undefined {
  if (!volume.projected) return undefined;
  return (volume.projected.sources ?? []).flatMap((s) => [
    ...(s.serviceAccountToken ? [s.serviceAccountToken.path] : []),
    ...[s.secret, s.configMap].flatMap((ref) => (ref?.items ?? []).map((i) => i.path)),
  ]);
}

function checkFiles(c: ContainerLike, info: PackageInfo, pod: PodUnderTest): string[] {
  const problems: string[] = [];
  const outputs = OUTPUT_FILES[info.name] ?? [];
  const readOnly = [...(READ_ONLY_FILES[info.name] ?? []), ...info.fileVars.map((f) => `${f}_FILE`)];
  for (const e of c.env ?? []) {
    if (!e.name.endsWith('_FILE')) continue;
    if (e.value === undefined || !e.value.startsWith('/')) {
      problems.push(`env ${e.name} must be an absolute path`);
      continue;
    }
    const mount = mountFor(c, e.value);
    const volume = mount && pod.volumes.find((v) => v.name === mount.name);
    if (!mount || !volume) {
      problems.push(`env ${e.name}=${e.value} is not on a mounted volume`);
      continue;
    }
    if (outputs.includes(e.name) && mount.readOnly) problems.push(`env ${e.name}=${e.value}: ${info.name} writes it, but the mount ${mount.mountPath} is read-only`);
    if (readOnly.includes(e.name) && !mount.readOnly) problems.push(`env ${e.name}=${e.value}: ${info.name} only reads it, so mount ${mount.mountPath} readOnly`);
    const items = volume.secret?.items;
    const rel = e.value.slice(mount.mountPath.replace(/\/+$/, '').length + 1);
    if (items && !items.some((i) => i.path === rel)) problems.push(`env ${e.name}=${e.value}: the Secret volume ${volume.name} has no item with path ${rel}`);
    const projected = projectedPaths(volume);
    if (projected && !projected.includes(rel)) problems.push(`env ${e.name}=${e.value}: the projected volume ${volume.name} has no source with path ${rel}`);
  }
  return problems;
}
