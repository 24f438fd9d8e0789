import { z } from 'zod';
import { createLogger, runMain, runTimeout, sleep } from '../src/index';
import { type DeadlineContext, withRunDeadline } from '../src/run-deadline';
import { restoreProcessStateAfterEach } from './process-state';

const spec = { schema: z.object({ RUN_TIMEOUT: runTimeout('1h') }) };

restoreProcessStateAfterEach();

const context = (controller: AbortController): Omit<DeadlineContext, 'idling'> => ({ name: 'demo', controller, log: createLogger({ component: 'test', write: () => {} }), graceMs: 60_000 });

/** Runs `work` under runMain and resolves with its log lines and exit code once the work has ended. */
function runWith(env: Record<string, string>, work: (signal: AbortSignal) => Promise<void>) {
  const lines: Record<string, unknown>[] = [];
  let finished!: () => void;
  const ended = new Promise<void>((r) => (finished = r));
  runMain({
    name: 'demo',
    summary: 'a demo entrypoint',
    spec,
    env,
    argv: [],
    graceMs: 60_000,
    logWrite: (line) => lines.push(JSON.parse(line) as Record<string, unknown>),
    run: async (_config, ctx) => {
      try {
        await work(ctx.signal);
      } finally {
        setImmediate(finished);
      }
    },
  });
  return { lines, ended };
}

describe('RUN_TIMEOUT', () => {
  it('when the work outlasts RUN_TIMEOUT, its signal aborts and the run ends with exit 1 RUN_TIMEOUT', async () => {
    const r = runWith({ RUN_TIMEOUT: '1s' }, (signal) => sleep(30_000, signal));
    await r.ended;
    await new Promise((res) => setImmediate(res));
    expect(process.exitCode).toBe(1);
    expect(r.lines.at(-1)).toMatchObject({ level: 'error', code: 'RUN_TIMEOUT', msg: 'demo did not finish within RUN_TIMEOUT (1s): stopped' });
  });

  it('when the work ends in time, the deadline is disarmed', async () => {
    const controller = new AbortController();
    await withRunDeadline({ RUN_TIMEOUT: 200 }, { ...context(controller), idling: () => false }, () => sleep(10));
    await sleep(400);
    expect(controller.signal.aborted).toBe(false);
  });

  it('when the run idles after its work, the deadline does not stop it', async () => {
    const controller = new AbortController();
    await withRunDeadline({ RUN_TIMEOUT: 200 }, { ...context(controller), idling: () => true }, () => sleep(400));
    expect(controller.signal.aborted).toBe(false);
  });

  it('when a sidecar asks to idle, the deadline no longer applies, even while its end-of-run push outlasts it', async () => {
    const lines: Record<string, unknown>[] = [];
    const before = process.listeners('SIGTERM');
    let pushed = false;
    const stopped = new Promise<void>((resolve) => {
      runMain({
        name: 'demo',
        summary: 'a demo sidecar',
        spec,
        env: { RUN_TIMEOUT: '1s' },
        argv: [],
        // the grace timer must never fire inside the test process
        graceMs: 2 ** 31 - 1,
        logWrite: (line) => {
          lines.push(JSON.parse(line) as Record<string, unknown>);
          if (lines.at(-1)?.msg === 'stopped while idle') setImmediate(resolve);
        },
        run: async (_config, { idleUntilSignal }) => {
          await idleUntilSignal();
        },
        atEnd: async () => {
          await sleep(1500);
          pushed = true;
        },
      });
    });
    while (!pushed) await sleep(50);
    await sleep(200);

    expect(lines.some((l) => l.msg === 'run deadline reached, stopping')).toBe(false);
    const onSigterm = process.listeners('SIGTERM').find((l) => !before.includes(l)) as ((sig: NodeJS.Signals) => void) | undefined;
    onSigterm?.('SIGTERM');
    await stopped;
    expect(process.exitCode).toBe(0);
  });

  it('refuses a RUN_TIMEOUT below one second', () => {
    expect(spec.schema.safeParse({ RUN_TIMEOUT: '10ms' }).success).toBe(false);
    expect(spec.schema.parse({ RUN_TIMEOUT: '90s' }).RUN_TIMEOUT).toBe(90_000);
  });
});
