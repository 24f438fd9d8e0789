import { randomUUID } from 'node:crypto';
import { appendFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** One fault the suite injects, as docs/RELIABILITY.md lists it. */
export interface FaultSpec {
  /** Stable id, e.g. `V-SEALED`. */
  id: string;
  area: 'Vault' | 'S3' | 'Disk' | 'Process' | 'Bad input' | 'Retention' | 'Security';
  /** What goes wrong, in a few words. */
  fault: string;
  /** How the suite makes it happen. */
  injection: string;
  /** What must happen: exit code, message, and what must be left intact. */
  expected: string;
}

/** A ledger line: written when a fault test ends, pass or fail. */
export interface LedgerEntry extends FaultSpec {
  test: string;
  passed: boolean;
  injected: number;
  runs: number;
  /** Checks that nothing was lost or half-written, and how many of them failed. */
  intactChecks: number;
  dataLost: number;
}

/** Folder shared by every test file of one jest run (set by the global setup). */
export function outDir(): string {
  let dir = process.env.FAULT_SUITE_OUT;
  if (!dir) {
    dir = mkdtempSync(join(tmpdir(), 'fault-suite-'));
    process.env.FAULT_SUITE_OUT = dir;
  }
  mkdirSync(join(dir, 'outputs'), { recursive: true });
  return dir;
}

/** Keeps a child's output for the suite-wide secret scan. */
export function keepOutput(label: string, text: string): void {
  writeFileSync(join(outDir(), 'outputs', `${randomUUID()}.txt`), `# ${label}\n${text}`);
}

/** Records a secret value created by a test, and the only file (if any) allowed to hold it. */
export function keepSecret(kind: string, value: string, intendedFile?: string): void {
  appendFileSync(join(outDir(), 'secrets.jsonl'), `${JSON.stringify({ kind, value, intendedFile })}\n`);
}

/** Counters of one fault test; see {@link withFault}. */
export class FaultCase {
  injected = 0;
  runs = 0;
  intactChecks = 0;
  dataLost = 0;

  /** Counts injected faults (requests failed, bytes cut, signals sent, ...). */
  inject(n = 1): void {
    this.injected += n;
  }

  /** Records that something must have survived the fault; throws when it did not. */
  intact(what: string, ok: boolean): void {
    this.intactChecks++;
    if (!ok) {
      this.dataLost++;
      throw new Error(`data lost or half-written: ${what}`);
    }
  }
}

/** The case the currently running test records into (runs are counted by the bundle helpers). */
let current: FaultCase | undefined;
export function currentCase(): FaultCase | undefined {
  return current;
}

/** Runs a fault test body and writes its ledger line whether it passes or fails. */
export async function withFault(spec: FaultSpec, body: (f: FaultCase) => Promise<void>): Promise<void> {
  const f = new FaultCase();
  current = f;
  let passed = false;
  try {
    await body(f);
    passed = true;
  } finally {
    current = undefined;
    const entry: LedgerEntry = { ...spec, test: expect.getState().currentTestName ?? spec.id, passed, injected: f.injected, runs: f.runs, intactChecks: f.intactChecks, dataLost: f.dataLost };
    appendFileSync(join(outDir(), 'ledger.jsonl'), `${JSON.stringify(entry)}\n`);
  }
}
