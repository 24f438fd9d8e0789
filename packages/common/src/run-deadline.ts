import { duration, formatMs } from './config/fields';
import { AppError } from './errors';
import type { Logger } from './log';

/**
 * `RUN_TIMEOUT`, the overall deadline of one step's work, for an entrypoint's schema: a hang anywhere
 * (a Vault, an S3 endpoint, a disk) ends with a clear error before the pod's activeDeadlineSeconds kills it
 * without a word. It bounds the work only: a sidecar that idles after its work is never stopped by it.
 */
export function runTimeout(defaultValue: string) {
  return duration(defaultValue, { min: 1000 }).describe('Deadline of the whole run (the work, not idling after it): past it the run stops with RUN_TIMEOUT, exit 1');
}

/** What the deadline needs from runMain. */
export interface DeadlineContext {
  name: string;
  controller: AbortController;
  log: Logger;
  /** True once the run idles (a sidecar after its work): the deadline no longer applies. */
  idling: () => boolean;
  graceMs: number;
}

/**
 * Runs `work` under the deadline of a parsed config that has `RUN_TIMEOUT`: at the deadline, unless the run
 * idles by then, `controller` aborts with AppError RUN_TIMEOUT (every call and stream takes its signal), and
 * the process exits 1 if the work does not end within `graceMs` after that.
 */
export async function withRunDeadline<T>(config: unknown, o: DeadlineContext, work: () => Promise<T>): Promise<T> {
  const ms = (config as { RUN_TIMEOUT?: unknown }).RUN_TIMEOUT;
  if (typeof ms !== 'number') return work();
  let forceExit: NodeJS.Timeout | undefined;
  const timer = setTimeout(() => {
    if (o.idling() || o.controller.signal.aborted) return;
    o.log.warn('run deadline reached, stopping', { runTimeout: formatMs(ms) });
    o.controller.abort(new AppError('RUN_TIMEOUT', `${o.name} did not finish within RUN_TIMEOUT (${formatMs(ms)}): stopped`));
    forceExit = setTimeout(() => {
      o.log.error('cleanup did not finish in time, exiting', { graceMs: o.graceMs });
      process.exit(1);
    }, o.graceMs);
    forceExit.unref();
  }, ms);
  // the deadline never keeps a finished run alive
  timer.unref();
  try {
    return await work();
  } finally {
    clearTimeout(timer);
    clearTimeout(forceExit);
  }
}
