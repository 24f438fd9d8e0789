import type { z } from 'zod';
import { renderHelp } from './config/help';
import { type EnvSpec, parseEnv } from './config/parse-env';
import { AppError, describeError } from './errors';
import { createLogger, levelFrom, type Logger } from './log';
import { withRunDeadline } from './run-deadline';

type Env = Record<string, string | undefined>;

export interface MainContext {
  log: Logger;
  /** Aborted on SIGTERM/SIGINT: every network call and stream takes it. */
  signal: AbortSignal;
  argv: string[];
  /** Waits for SIGTERM/SIGINT; a signal that arrives while idling is a normal stop (exit 0), as for a sidecar. */
  idleUntilSignal: () => Promise<void>;
}

/** Why a run has nothing to do: one info line, then exit 0. */
export interface SkipDecision {
  msg: string;
  fields?: Record<string, unknown>;
}

export interface MainOptions<T extends z.ZodObject> {
  name: string;
  /** One line for `--help`: what the entrypoint does. */
  summary: string;
  /** The entrypoint's environment schema: parsed before `run`, printed by `--help`. */
  spec: EnvSpec<T>;
  env: Env;
  argv?: string[];
  /** Extra usage text after `[--help]`, e.g. `[--list]`. */
  usage?: string;
  /** Derives the environment to parse from arguments (flags that stand for variables). */
  envFrom?: (argv: string[], env: Env) => Env;
  /**
   * Decides, before the configuration is parsed (so before any `*_FILE` is read and any
   * client is built), that this run has nothing to do: the returned line is logged at info
   * level and the process exits 0. Return undefined to go on. Must not throw.
   */
  skipIf?: (argv: string[], env: Env) => SkipDecision | undefined;
  /** The one verb, with parsed configuration. */
  run: (config: z.output<T>, ctx: MainContext) => Promise<void>;
  /** How long to wait for cleanup after a signal before forcing exit. */
  graceMs?: number;
  /** Where log lines go (default stdout); a CLI that prints its result on stdout logs to stderr. */
  logWrite?: (line: string) => void;
  /**
   * Runs once at the end of the run, success or failure (a configuration error too), once the
   * exit code is set; for a run that idles (a sidecar), when it starts to idle. Pushes the step's
   * metrics. Must bound its own time; an error in it is a warning.
   */
  atEnd?: (end: RunEnd) => Promise<void>;
}

/** How a run ended: what `atEnd` gets. */
export interface RunEnd {
  /** The exit code the process ends with. */
  exitCode: number;
  /** The stable code of the failure (`UNEXPECTED` for an error without one); undefined on success. */
  errorCode?: string | undefined;
  /** Unix milliseconds. */
  startedAt: number;
  endedAt: number;
  env: Env;
  log: Logger;
}

/**
 * Runs an entrypoint: `--help`, JSON logging, signal handling and the exit code
 * (0 ok, 2 configuration, 1 anything else). The only place that decides exit codes.
 */
export function runMain<T extends z.ZodObject>(options: MainOptions<T>): void {
  const argv = options.argv ?? process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(renderHelp(options.name, options.summary, options.spec, options.usage));
    return;
  }
  const log = createLogger({ component: options.name, level: levelFrom(options.env.LOG_LEVEL), ...(options.logWrite ? { write: options.logWrite } : {}) });
  const env = options.envFrom ? options.envFrom(argv, options.env) : options.env;
  const skip = options.skipIf?.(argv, env);
  if (skip) {
    log.info(skip.msg, skip.fields);
    process.exitCode = 0;
    return;
  }
  const controller = new AbortController();
  const started = Date.now();
  let idling = false;
  let errorCode: string | undefined;
  let ended = false;
  /** Runs atEnd once: when the run returns or throws, or when it starts to idle. */
  const end = async (exitCode: number) => {
    const atEnd = options.atEnd;
    if (ended || !atEnd) return;
    ended = true;
    await Promise.resolve()
      .then(() => atEnd({ exitCode, errorCode, startedAt: started, endedAt: Date.now(), env, log }))
      .catch((err: unknown) => log.warn('end-of-run step failed; the exit code is unchanged', { error: describeError(err) }));
  };
  const waitForSignal = () =>
    new Promise<void>((resolve) => {
      idling = true;
      if (controller.signal.aborted) return resolve();
      // A pending abort listener does not keep Node alive: without this timer the process would just exit.
      const keepAlive = setInterval(() => {}, 1 << 30);
      controller.signal.addEventListener('abort', () => {
        clearInterval(keepAlive);
        resolve();
      }, { once: true });
    });
  // A sidecar's work is done once it idles: that is the end of its run for atEnd, not a SIGTERM days later.
  const idleUntilSignal = () => end(0).then(waitForSignal);
  const onSignal = (sig: NodeJS.Signals) => {
    if (controller.signal.aborted) return;
    log.warn('signal received, stopping', { signal: sig });
    controller.abort(new AppError('ABORTED', `stopped by ${sig}`));
    setTimeout(() => {
      log.error('cleanup did not finish in time, exiting', { graceMs: options.graceMs ?? 10_000 });
      process.exit(1);
    }, options.graceMs ?? 10_000).unref();
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  Promise.resolve()
    .then(() => {
      const config = parseEnv(options.spec, env);
      // RUN_TIMEOUT bounds the work: once the run asks to idle (before atEnd's push), it no longer applies
      let workDone = false;
      const idle = () => {
        workDone = true;
        return idleUntilSignal();
      };
      const deadline = { name: options.name, controller, log, idling: () => idling || workDone, graceMs: options.graceMs ?? 10_000 };
      return withRunDeadline(config, deadline, () => options.run(config, { log, signal: controller.signal, argv, idleUntilSignal: idle }));
    })
    .then(() => {
      process.exitCode = controller.signal.aborted && !idling ? 1 : 0;
      if (process.exitCode !== 0) errorCode = 'ABORTED';
      if (idling) log.info('stopped while idle');
    })
    .catch((err: unknown) => {
      const appErr = err instanceof AppError ? err : undefined;
      process.exitCode = appErr?.exitCode ?? 1;
      errorCode = appErr?.code ?? 'UNEXPECTED';
      log.error(describeError(err), {
        code: appErr?.code ?? 'UNEXPECTED',
        exitCode: process.exitCode,
        durationMs: Date.now() - started,
        ...(appErr ? {} : { stack: err instanceof Error ? err.stack : undefined }),
      });
    })
    .then(() => end(Number(process.exitCode ?? 0)));
}
