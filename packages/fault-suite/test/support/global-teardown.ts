import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { scanForSecrets } from './secret-scan';

/** The suite-wide secret scan: every secret any test created, against every output any bundle printed. */
export default function globalTeardown(): void {
  const dir = process.env.FAULT_SUITE_OUT;
  if (!dir) return;
  const { leaks, secrets, outputs } = scanForSecrets(dir);
  rmSync(join(dir, 'outputs'), { recursive: true, force: true });
  rmSync(join(dir, 'secrets.jsonl'), { force: true });
  if (process.env.FAULT_SUITE_KEEP !== 'true') rmSync(dir, { recursive: true, force: true });
  if (leaks.length > 0) throw new Error(`secrets leaked: ${leaks.map((l) => `${l.kind} in ${l.where}`).join('; ')}`);
  process.stdout.write(`\nsuite-wide secret scan: ${secrets} secrets, ${outputs} outputs, no leak\n`);
}
