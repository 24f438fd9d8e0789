// Which pod of the StatefulSet restores: a contract between restore-fetcher (only that pod downloads) and restore-runner (only that pod restores).
/** Whether this pod restores, and why (for the log). */
export interface PodDecision {
  restore: boolean;
  /** The pod that restores, as configured or derived. */
  restorePod: string;
  reason: string;
}

/**
 * Decides whether this pod is the one that restores: `RESTORE_POD` names it explicitly;
 * unset, it is the StatefulSet's ordinal 0 (the pod whose name ends in `-0`).
 */
export function decideRestorePod(restorePod: string | undefined, hostname: string): PodDecision {
  if (restorePod !== undefined && restorePod !== '') {
    const restore = hostname === restorePod;
    return { restore, restorePod, reason: restore ? `HOSTNAME ${hostname} equals RESTORE_POD` : `HOSTNAME ${hostname} is not RESTORE_POD ${restorePod}` };
  }
  const restore = /-0$/.test(hostname);
  const derived = restore ? hostname : `${hostname.replace(/-\d+$/, '')}-0`;
  return {
    restore,
    restorePod: derived,
    reason: restore ? `HOSTNAME ${hostname} is the StatefulSet's ordinal 0` : `HOSTNAME ${hostname} is not ordinal 0 (set RESTORE_POD to choose another pod)`,
  };
}
