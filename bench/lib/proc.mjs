// Child processes for the benchmark: timed runs under /usr/bin/time and long-lived servers.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const TIME = '/usr/bin/time';
let seq = 0;

/** Parses JSON log lines (one object per line); other lines are ignored. */
export function jsonLines(text) {
  const out = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      out.push(JSON.parse(line));
    } catch {
      // a line that only looks like JSON: not a log line
    }
  }
  return out;
}

/**
 * Runs one command to completion under /usr/bin/time (peak RSS, CPU) and measures its wall time.
 * Resolves with { code, seconds, rssKiB, cpuSeconds, stdout, stderr }; never rejects on a non-zero exit.
 * `discardStdout`: the command's stdout goes to /dev/null (for commands that write the data itself).
 */
export function timed(cmd, args, { env = process.env, cwd, workDir, timeoutMs = 30 * 60_000, discardStdout = false } = {}) {
  const statFile = join(workDir, `time-${process.pid}-${seq++}.txt`);
  const useTime = existsSync(TIME);
  const argv = useTime ? ['-f', '%M %U %S', '-o', statFile, cmd, ...args] : args;
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(useTime ? TIME : cmd, argv, { env, cwd, stdio: ['ignore', discardStdout ? 'ignore' : 'pipe', 'pipe'] });
    const stdout = [];
    const stderr = [];
    child.stdout?.on('data', (d) => stdout.push(d));
    child.stderr.on('data', (d) => stderr.push(d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      let rssKiB;
      let cpuSeconds;
      if (useTime && existsSync(statFile)) {
        const last = readFileSync(statFile, 'utf8').trim().split('\n').pop() ?? '';
        const [rss, user, sys] = last.split(' ').map(Number);
        rssKiB = rss;
        cpuSeconds = (user ?? 0) + (sys ?? 0);
        rmSync(statFile, { force: true });
      }
      resolve({ code, seconds, rssKiB, cpuSeconds, stdout: Buffer.concat(stdout).toString(), stderr: Buffer.concat(stderr).toString() });
    });
  });
}

/** Throws with the tail of the output when a timed run failed. */
export function mustSucceed(what, result) {
  if (result.code === 0) return result;
  const tail = `${result.stdout}\n${result.stderr}`.trim().split('\n').slice(-12).join('\n    ');
  throw new Error(`${what} exited ${result.code}:\n    ${tail}`);
}

/** Starts a server process that prints one JSON line when ready; resolves with { info, stop }. */
export function startServer(script, { env = process.env, args = [], timeoutMs = 30_000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => fail(new Error(`${script} did not start within ${timeoutMs} ms: ${err}`)), timeoutMs);
    const fail = (e) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(e);
    };
    const stop = () =>
      new Promise((done) => {
        if (child.exitCode !== null || child.signalCode !== null) return done();
        const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
        child.once('exit', () => {
          clearTimeout(kill);
          done();
        });
        child.kill('SIGTERM');
      });
    child.stderr.on('data', (d) => {
      err += d;
    });
    child.stdout.on('data', (d) => {
      out += d;
      const nl = out.indexOf('\n');
      if (nl < 0) return;
      clearTimeout(timer);
      child.stdout.removeAllListeners('data');
      child.stdout.resume();
      try {
        resolve({ info: JSON.parse(out.slice(0, nl)), stop, pid: child.pid });
      } catch (e) {
        fail(e);
      }
    });
    child.once('exit', (code) => fail(new Error(`${script} exited with ${code} before it was ready: ${err}`)));
  });
}
