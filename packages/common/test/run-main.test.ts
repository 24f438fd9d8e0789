import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { required, runMain } from '../src/index';
import { restoreProcessStateAfterEach } from './process-state';

const spec = { schema: z.object({ TOKEN: required('token').describe('a secret'), ROLE: z.string().optional().describe('who runs') }), fileVars: ['TOKEN'], secrets: ['TOKEN'] };

restoreProcessStateAfterEach();

function start(env: Record<string, string>, skipWhenRole: string) {
  const lines: Record<string, unknown>[] = [];
  const runs: unknown[] = [];
  let exitCode: typeof process.exitCode;
  const done = new Promise<void>((resolve) => {
    runMain({
      name: 'demo',
      summary: 'a demo entrypoint',
      spec,
      env,
      argv: [],
      logWrite: (line) => lines.push(JSON.parse(line) as Record<string, unknown>),
      skipIf: (_argv, e) => (e.ROLE === skipWhenRole ? { msg: 'nothing to do here', fields: { role: e.ROLE } } : undefined),
      run: async (config) => {
        runs.push(config);
      },
    });
    exitCode = process.exitCode;
    // The run itself is asynchronous: give its promise chain a turn to settle.
    setImmediate(() => resolve());
  });
  return { lines, runs, done, exitCodeAfterStart: () => exitCode };
}

describe('runMain skipIf', () => {
  it('when it decides to skip, it logs the line and exits 0 without reading any *_FILE or running the verb', async () => {
    const r = start({ TOKEN_FILE: '/nonexistent/token', ROLE: 'follower' }, 'follower');
    await r.done;

    expect(r.exitCodeAfterStart()).toBe(0);
    expect(r.runs).toEqual([]);
    expect(r.lines).toEqual([expect.objectContaining({ level: 'info', msg: 'nothing to do here', component: 'demo', role: 'follower' })]);
  });

  it('when it returns undefined, the configuration is parsed (files included) and the verb runs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'run-main-'));
    writeFileSync(join(dir, 'token'), 's3cr3t-value\n');

    const r = start({ TOKEN_FILE: join(dir, 'token'), ROLE: 'leader' }, 'follower');
    await r.done;

    expect(r.runs).toEqual([{ TOKEN: 's3cr3t-value', ROLE: 'leader' }]);
    expect(process.exitCode).toBe(0);
    expect(r.lines).toEqual([]);
  });

  it('when it returns undefined and a *_FILE is missing, it fails with the configuration error (exit 2)', async () => {
    const r = start({ TOKEN_FILE: '/nonexistent/token', ROLE: 'leader' }, 'follower');
    await r.done;

    expect(r.runs).toEqual([]);
    expect(process.exitCode).toBe(2);
    expect(r.lines.at(-1)).toMatchObject({ level: 'error', code: 'CONFIG_INVALID', msg: expect.stringContaining('TOKEN_FILE: cannot read /nonexistent/token') });
  });
});
