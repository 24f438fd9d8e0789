import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { repoRoot } from '../run-bundle';
import { startVaultDouble } from '../vault-double/index';
import type { Flavor, SealType } from '../vault-double/types';

const HELP = `vault-double: a Vault test double on 127.0.0.1 for demos and benchmarks.
Flags (or env):
  --port N              VAULT_DOUBLE_PORT          port of node 0 (node i = N+i); default any free port
  --nodes N             VAULT_DOUBLE_NODES         cluster size; default 1
  --seal-type T         VAULT_DOUBLE_SEAL_TYPE     shamir (default), awskms, transit, ...
  --kms-key-id ID       VAULT_DOUBLE_KMS_KEY_ID    auto-unseal key id this cluster reaches
  --initialized B       VAULT_DOUBLE_INITIALIZED   true (default) or false
  --filler-bytes N      VAULT_DOUBLE_FILLER_BYTES  extra state.bin bytes per snapshot
  --restore-delay-ms N  VAULT_DOUBLE_RESTORE_DELAY_MS  204 of a restore -> start of its apply; default 200
  --restore-apply-ms N  VAULT_DOUBLE_RESTORE_APPLY_MS  how long the apply holds the state lock; default 0
  --join-interval-ms N  VAULT_DOUBLE_JOIN_INTERVAL_MS  raft join retry interval of followers; default 100
  --join-delay-ms N     VAULT_DOUBLE_JOIN_DELAY_MS     time a join (and the keyring's replication) takes; default 50
  --snapshot-first-byte-ms N  VAULT_DOUBLE_SNAPSHOT_FIRST_BYTE_MS  time before a snapshot's first byte; default 0
  --flavor F            VAULT_DOUBLE_FLAVOR        vault (default) or openbao
  --version V           VAULT_DOUBLE_VERSION       version reported; default 1.17.6 (vault), 2.4.1 (openbao)
  --approle-role NAME   VAULT_DOUBLE_APPROLE_ROLE  create a role with the project's snapshot policy
Prints one JSON line {url, nodes, rootToken, unsealKeys, roleId, secretId}; stops on SIGTERM/SIGINT.`;

function numberOf(name: string, text: string | undefined): number | undefined {
  if (text === undefined || text === '') return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer, got "${text}"`);
  return value;
}

function boolOf(name: string, text: string | undefined): boolean | undefined {
  if (text === undefined || text === '') return undefined;
  if (text !== 'true' && text !== 'false') throw new Error(`${name} must be true or false, got "${text}"`);
  return text === 'true';
}

async function main(): Promise<void> {
  const flag = { type: 'string' } as const;
  const { values } = parseArgs({
    options: {
      port: flag,
      nodes: flag,
      'seal-type': flag,
      'kms-key-id': flag,
      initialized: flag,
      'filler-bytes': flag,
      'restore-delay-ms': flag,
      'restore-apply-ms': flag,
      'join-interval-ms': flag,
      'join-delay-ms': flag,
      'snapshot-first-byte-ms': flag,
      flavor: flag,
      version: flag,
      'approle-role': flag,
      help: { type: 'boolean' },
    },
  });
  if (values.help) return void process.stdout.write(`${HELP}\n`);
  const env = process.env;
  const pick = (key: keyof typeof values, envName: string) => (values[key] as string | undefined) ?? env[envName];
  const double = await startVaultDouble({
    port: numberOf('--port', pick('port', 'VAULT_DOUBLE_PORT')),
    nodes: numberOf('--nodes', pick('nodes', 'VAULT_DOUBLE_NODES')),
    sealType: pick('seal-type', 'VAULT_DOUBLE_SEAL_TYPE') as SealType | undefined,
    kmsKeyId: pick('kms-key-id', 'VAULT_DOUBLE_KMS_KEY_ID'),
    initialized: boolOf('--initialized', pick('initialized', 'VAULT_DOUBLE_INITIALIZED')),
    fillerBytes: numberOf('--filler-bytes', pick('filler-bytes', 'VAULT_DOUBLE_FILLER_BYTES')),
    restoreDelayMs: numberOf('--restore-delay-ms', pick('restore-delay-ms', 'VAULT_DOUBLE_RESTORE_DELAY_MS')),
    restoreApplyMs: numberOf('--restore-apply-ms', pick('restore-apply-ms', 'VAULT_DOUBLE_RESTORE_APPLY_MS')),
    joinIntervalMs: numberOf('--join-interval-ms', pick('join-interval-ms', 'VAULT_DOUBLE_JOIN_INTERVAL_MS')),
    joinDelayMs: numberOf('--join-delay-ms', pick('join-delay-ms', 'VAULT_DOUBLE_JOIN_DELAY_MS')),
    snapshotFirstByteMs: numberOf('--snapshot-first-byte-ms', pick('snapshot-first-byte-ms', 'VAULT_DOUBLE_SNAPSHOT_FIRST_BYTE_MS')),
    flavor: pick('flavor', 'VAULT_DOUBLE_FLAVOR') as Flavor | undefined,
    version: pick('version', 'VAULT_DOUBLE_VERSION') || undefined,
  });
  const roleName = pick('approle-role', 'VAULT_DOUBLE_APPROLE_ROLE');
  let role: { roleId: string; secretId: string } | undefined;
  if (roleName && double.initResult) {
    double.writePolicy('vault-raft-backup', readFileSync(join(repoRoot(), 'manifests', 'vault', 'snapshot-policy.hcl'), 'utf8'));
    role = double.createAppRole(roleName, { token_policies: ['vault-raft-backup'], token_ttl: '1h', token_max_ttl: '2h' });
  }
  const { url, rootToken, unsealKeys } = double;
  process.stdout.write(`${JSON.stringify({ url, nodes: double.nodes.map((n) => n.url), rootToken, unsealKeys, roleId: role?.roleId, secretId: role?.secretId })}\n`);
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
  process.stderr.write(`vault-double: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
