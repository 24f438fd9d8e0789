import { allContainers, envValue, mountFor, type PodUnderTest } from './pod';

/** A file one step writes and the next one reads. */
interface Link {
  /** The writer: the first of these found in the pod (interchangeable steps, e.g. the two logins). */
  from: [containers: readonly string[], variable: string];
  to: [container: string, variable: string];
  /** The volume must be in memory (a token must never touch the node's disk). */
  memory?: boolean;
}

/** The hand-overs of the backup and the restore pods. */
export const LINKS: readonly Link[] = [
  { from: [['approle-login', 'kubernetes-login'], 'VAULT_TOKEN_FILE'], to: ['snapshot-taker', 'VAULT_TOKEN_FILE'], memory: true },
  { from: [['snapshot-taker'], 'SNAPSHOT_FILE'], to: ['s3-uploader', 'SNAPSHOT_FILE'] },
  { from: [['restore-fetcher'], 'SNAPSHOT_FILE'], to: ['restore-runner', 'SNAPSHOT_FILE'] },
];

/**
 * Checks the hand-overs inside one pod: the writer starts before the reader, both
 * name the same path on the same volume, an emptyDir with a sizeLimit (in memory
 * for the token).
 */
export function checkPipeline(pod: PodUnderTest): string[] {
  const problems: string[] = [];
  const order = allContainers(pod).map((c) => c.name);
  for (const link of LINKS) {
    const [fromNames, fromVar] = link.from;
    const [toName, toVar] = link.to;
    const writers = allContainers(pod).filter((c) => fromNames.includes(c.name));
    const writer = writers[0];
    const reader = allContainers(pod).find((c) => c.name === toName);
    if (!writer && !reader) continue;
    const fromName = writer?.name ?? fromNames.join(' or ');
    const at = `${pod.where}: ${fromName}.${fromVar} -> ${toName}.${toVar}`;
    if (writers.length > 1) problems.push(`${at}: ${writers.map((w) => w.name).join(' and ')} both write it: keep one`);
    if (!writer || !reader) {
      problems.push(`${at}: ${writer ? toName : fromName} is missing from the pod`);
      continue;
    }
    if (order.indexOf(fromName) > order.indexOf(toName)) problems.push(`${at}: ${fromName} must start before ${toName}`);
    if (pod.initContainers.includes(reader) && !pod.initContainers.includes(writer)) problems.push(`${at}: ${fromName} must be an init container`);
    const written = envValue(writer, fromVar);
    const read = envValue(reader, toVar);
    if (written === undefined || read === undefined || written !== read) {
      problems.push(`${at}: paths differ (${written ?? 'unset'} vs ${read ?? 'unset'})`);
      continue;
    }
    const mw = mountFor(writer, written);
    const mr = mountFor(reader, read);
    if (!mw || !mr || mw.name !== mr.name) {
      problems.push(`${at}: ${written} is not on the same volume in both containers`);
      continue;
    }
    const volume = pod.volumes.find((v) => v.name === mw.name);
    if (!volume?.emptyDir) problems.push(`${at}: volume ${mw.name} must be an emptyDir`);
    else if (volume.emptyDir.sizeLimit === undefined) problems.push(`${at}: emptyDir ${mw.name} needs a sizeLimit`);
    if (link.memory && volume?.emptyDir?.medium !== 'Memory') problems.push(`${at}: emptyDir ${mw.name} must have medium: Memory`);
  }
  return problems;
}
