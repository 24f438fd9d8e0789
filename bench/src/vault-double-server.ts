import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { startVaultDouble } from '@vault-raft-backup/testkit';

/**
 * The Vault test double as its own process, so the benchmark measures only the process under test.
 * Options come from the environment: BENCH_FILLER_BYTES (high-entropy state.bin size),
 * BENCH_INITIALIZED (false = fresh, for restore-runner). Prints one JSON line, stops on SIGTERM/SIGINT.
 */
async function main(): Promise<void> {
  const fillerBytes = Number(process.env.BENCH_FILLER_BYTES ?? '0');
  const initialized = process.env.BENCH_INITIALIZED !== 'false';
  const double = await startVaultDouble({ initialized, fillerBytes, secretShares: 3, secretThreshold: 2, restoreDelayMs: 50 });
  let approle: { roleId: string; secretId: string } | undefined;
  if (initialized) {
    const policy = readFileSync(resolve(__dirname, '..', '..', 'manifests', 'vault', 'snapshot-policy.hcl'), 'utf8');
    double.writePolicy('vault-raft-backup', policy);
    approle = double.createAppRole('vault-raft-backup', { token_policies: ['vault-raft-backup'], token_ttl: '1h', token_max_ttl: '2h' });
  }
  const { url, rootToken, unsealKeys } = double;
  process.stdout.write(`${JSON.stringify({ url, rootToken, unsealKeys, ...approle })}\n`);
  const stop = () => {
    double.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`vault-double-server: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
