// The pinned arrangement: the producer (the Vault double or s3rver) on core 0, the measured command on core 1.
import { execFileSync } from 'node:child_process';
import { cpus } from 'node:os';

export const PRODUCER_CORE = '0';
export const MEASURED_CORE = '1';

/** True when taskset exists and the machine has the two cores the arrangement uses. */
export function canPin() {
  if (cpus().length < 2) return false;
  try {
    execFileSync('taskset', ['-c', MEASURED_CORE, 'true'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Pins every thread of a running process to `cores` (`taskset -a -p -c`). */
function setAffinity(pid, cores) {
  execFileSync('taskset', ['-a', '-p', '-c', cores, String(pid)], { stdio: 'ignore' });
}

/** Runs fn with the producer pinned to core 0, then lets it run on every core again. */
export async function withProducerPinned(pid, fn) {
  setAffinity(pid, PRODUCER_CORE);
  try {
    return await fn();
  } finally {
    setAffinity(pid, `0-${cpus().length - 1}`);
  }
}

/** The command line of a measured command on core 1. */
export const pinnedArgv = (cmd, args) => ({ cmd: 'taskset', args: ['-c', MEASURED_CORE, cmd, ...args] });
