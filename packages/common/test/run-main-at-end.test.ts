import { z } from 'zod';
import { AppError, type RunEnd, required, runMain } from '../src/index';
import { restoreProcessStateAfterEach } from './process-state';

const spec = { schema: z.object({ TOKEN: required('token').describe('a secret') }) };

restoreProcessStateAfterEach();

/** Runs runMain with an atEnd hook; resolves with what the hook got and the exit code once the hook ran. */
function runWith(env: Record<string, string>, run: () => Promise<void>, atEnd?: (end: RunEnd) => Promise<void>) {
  const lines: Record<string, unknown>[] = [];
  return new Promise<{ end: RunEnd; exitCode: typeof process.exitCode; lines: Record<string, unknown>[] }>((resolve) => {
    runMain({
      name: 'demo',
      summary: 'a demo entrypoint',
      spec,
      env,
      argv: [],
      logWrite: (line) => lines.push(JSON.parse(line) as Record<string, unknown>),
      run,
      atEnd: async (end) => {
        await atEnd?.(end);
        // after the hook's own promise: runMain's last step has had its turn
        setImmediate(() => resolve({ end, exitCode: process.exitCode, lines }));
      },
    });
  });
}

describe('runMain atEnd', () => {
  it('gets a success with exit code 0, no error code and the run\'s times', async () => {
    const before = Date.now();

    const { end, exitCode } = await runWith({ TOKEN: 't' }, async () => {});

    expect(exitCode).toBe(0);
    expect(end).toMatchObject({ exitCode: 0, errorCode: undefined, env: { TOKEN: 't' } });
    expect(end.startedAt).toBeGreaterThanOrEqual(before);
    expect(end.endedAt).toBeGreaterThanOrEqual(end.startedAt);
  });

  it('gets a failure with its stable code, after the error line was logged', async () => {
    const { end, lines } = await runWith({ TOKEN: 't' }, async () => {
      throw new AppError('S3_ACCESS_DENIED', 'denied');
    });

    expect(end).toMatchObject({ exitCode: 1, errorCode: 'S3_ACCESS_DENIED' });
    expect(lines.at(-1)).toMatchObject({ level: 'error', code: 'S3_ACCESS_DENIED' });
  });

  it('gets a configuration error (exit 2, CONFIG_INVALID) and an error without a code as UNEXPECTED', async () => {
    const config = await runWith({}, async () => {});
    const unexpected = await runWith({ TOKEN: 't' }, async () => {
      throw new TypeError('boom');
    });

    expect(config.end).toMatchObject({ exitCode: 2, errorCode: 'CONFIG_INVALID' });
    expect(unexpected.end).toMatchObject({ exitCode: 1, errorCode: 'UNEXPECTED' });
  });

  it('a hook that throws is one warning and leaves the exit code as the run set it', async () => {
    const lines: Record<string, unknown>[] = [];
    const warned = new Promise<void>((resolve) => {
      runMain({
        name: 'demo',
        summary: 'a demo entrypoint',
        spec,
        env: { TOKEN: 't' },
        argv: [],
        logWrite: (line) => {
          lines.push(JSON.parse(line) as Record<string, unknown>);
          resolve();
        },
        run: async () => {},
        atEnd: async () => {
          throw new Error('gateway exploded');
        },
      });
    });

    await warned;

    expect(process.exitCode).toBe(0);
    expect(lines).toEqual([expect.objectContaining({ level: 'warn', msg: 'end-of-run step failed; the exit code is unchanged', error: 'gateway exploded' })]);
  });

  it('a run that idles (a sidecar) gets it when it starts to idle, and not again when SIGTERM ends it', async () => {
    const ends: RunEnd[] = [];
    const lines: Record<string, unknown>[] = [];
    const before = process.listeners('SIGTERM');
    const stopped = new Promise<void>((resolve) => {
      runMain({
        name: 'demo',
        summary: 'a demo sidecar',
        spec,
        env: { TOKEN: 't' },
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
        atEnd: async (end) => {
          ends.push(end);
        },
      });
    });
    while (ends.length === 0) await new Promise((r) => setImmediate(r));

    expect(ends).toEqual([expect.objectContaining({ exitCode: 0, errorCode: undefined })]);
    const onSigterm = process.listeners('SIGTERM').find((l) => !before.includes(l)) as ((sig: NodeJS.Signals) => void) | undefined;
    onSigterm?.('SIGTERM');
    await stopped;

    expect(ends).toHaveLength(1);
    expect(process.exitCode).toBe(0);
  });
});
