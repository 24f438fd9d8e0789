import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Creates the folder every test file writes its ledger lines, outputs and secrets into. */
export default function globalSetup(): void {
  if (process.env.FAULT_SUITE_OUT) {
    process.env.FAULT_SUITE_KEEP = 'true';
  } else {
    process.env.FAULT_SUITE_OUT = mkdtempSync(join(tmpdir(), 'fault-suite-'));
  }
  mkdirSync(join(process.env.FAULT_SUITE_OUT, 'outputs'), { recursive: true });
  // the S3 clients the tests use in-process would print a Node-version notice on Node 20
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
}
