import { AppError, describeError, type Logger } from '@vault-raft-backup/common';

/**
 * What a restore proves, in levels: (1) the archive verified and this server accepted and applied it; (2) the
 * restored server unsealed (source keys or KMS) and is active, followers included; (3) a token of the source
 * cluster (RESTORE_VERIFY_TOKEN) is valid; (4) the canary secret exists and holds the expected value.
 */
export const LEVEL_NAMES = { 1: 'applied', 2: 'unsealed and active', 3: 'source token valid', 4: 'canary' } as const;
export type Level = keyof typeof LEVEL_NAMES;

/** One level's outcome; `reason` says why it failed or was not reached (never a secret). */
export interface LevelCheck {
  level: Level;
  name: string;
  status: 'passed' | 'failed' | 'not reached' | 'not configured';
  reason?: string;
}

/** The levels of a run: the highest level passed, the level the configuration requires, and each check. */
export interface LevelReport {
  reached: number;
  required: number;
  passed: boolean;
  checks: LevelCheck[];
}

/** What the configuration makes reachable: unsealing needs the keys or a KMS, level 3 a token, level 4 a canary. */
export interface LevelPlan {
  canUnseal: boolean;
  token: boolean;
  canary: boolean;
  /** RESTORE_DRILL_MIN_LEVEL, when set. */
  minLevel?: number | undefined;
}

/** The level a run must reach: the highest the configuration makes reachable, or RESTORE_DRILL_MIN_LEVEL. */
export function requiredLevel(plan: LevelPlan): number {
  if (plan.minLevel !== undefined) return plan.minLevel;
  if (!plan.canUnseal) return 1;
  return plan.canary ? 4 : plan.token ? 3 : 2;
}

/**
 * Records the levels of one run. `run` executes a level's check: in a drill a failure is recorded and the run
 * goes on to write its report (the levels above are then not reached); outside a drill it is thrown as before.
 */
export class LevelRecorder {
  private readonly checks = new Map<Level, LevelCheck>();

  constructor(
    private readonly plan: LevelPlan,
    private readonly drill: boolean,
  ) {}

  /** Runs the check of `level` unless a lower level did not pass. @throws the check's error outside a drill */
  async run(level: Level, configured: boolean, check: () => Promise<void>): Promise<boolean> {
    if (!configured) return this.set(level, 'not configured');
    const below = [...this.checks.values()].find((c) => c.level < level && c.status !== 'passed' && c.status !== 'not configured');
    if (below) return this.set(level, 'not reached', `level ${below.level} (${below.name}) ${below.status}`);
    try {
      await check();
      return this.set(level, 'passed');
    } catch (err) {
      if (!this.drill || !(err instanceof AppError) || err.code === 'ABORTED') throw err;
      return this.set(level, 'failed', `${err.code}: ${describeError(err)}`);
    }
  }

  /** A level that failed outside `run` (before the flow reached it). */
  fail(level: Level, reason: string): void {
    this.set(level, 'failed', reason);
  }

  /** A level that this run cannot reach, and why. */
  skip(level: Level, reason: string): void {
    this.set(level, 'not reached', reason);
  }

  private set(level: Level, status: LevelCheck['status'], reason?: string): boolean {
    this.checks.set(level, { level, name: LEVEL_NAMES[level], status, ...(reason ? { reason } : {}) });
    return status === 'passed';
  }

  /** The levels as reported; levels never looked at count as not reached. */
  report(failure?: string): LevelReport {
    const checks = ([1, 2, 3, 4] as Level[]).map((level) => this.checks.get(level) ?? { level, name: LEVEL_NAMES[level], status: 'not reached' as const, ...(failure ? { reason: failure } : {}) });
    let reached = 0;
    for (const c of checks) {
      if (c.status === 'passed') reached = c.level;
      else if (c.status !== 'not configured') break;
    }
    const required = requiredLevel(this.plan);
    return { reached, required, passed: reached >= required, checks };
  }
}

/** The levels of a drill that failed before its snapshot applied: level 1 failed with the error. */
export function levelsOfFailure(plan: LevelPlan, err: AppError): LevelReport {
  const recorder = new LevelRecorder(plan, true);
  recorder.fail(1, `${err.code}: ${describeError(err)}`);
  return recorder.report();
}

/** The one line a drill's result is read from. */
export function logLevels(log: Logger, drill: boolean, levels: LevelReport): void {
  // `reached`, not `level`: that field of every log line is the log level
  const fields = { reached: levels.reached, required: levels.required, passed: levels.passed, checks: levels.checks };
  if (drill) log[levels.passed ? 'info' : 'error']('drill result', fields);
  else log.info('restore levels', fields);
}
