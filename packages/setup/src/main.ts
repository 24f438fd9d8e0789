import { runMain, vaultClientFromConfig, writeFileAtomic } from '@vault-raft-backup/common';
import policy from '../../../manifests/vault/snapshot-policy.hcl';
import { spec } from './config';
import { envFromFlags } from './flags';
import { desiredRole } from './role-settings';
import { secretManifest } from './secret-manifest';
import { desiredServiceAccountRole, serviceAccountMount } from './service-account-role';
import { runServiceAccountSetup } from './service-account-setup';
import { runSetup } from './setup';

runMain({
  name: 'vault-raft-backup-setup',
  summary: "write the snapshot policy and the backup's role (AppRole, Kubernetes or JWT auth) to Vault; for AppRole, print the Kubernetes Secret",
  spec,
  usage: '[--auth approle|kubernetes|jwt] [--role-name=NAME ...: any SETUP_* variable as a flag]',
  env: process.env,
  // The Secret manifest goes to stdout: log lines go to stderr.
  logWrite: (line) => process.stderr.write(line),
  envFrom: envFromFlags,
  run: async (config, { log, signal }) => {
    const client = vaultClientFromConfig(config, log, config.VAULT_TOKEN);
    if (config.SETUP_AUTH !== 'approle') {
      const role = desiredServiceAccountRole(config);
      return runServiceAccountSetup(client, { type: config.SETUP_AUTH, policyName: config.SETUP_POLICY_NAME, policy, mount: serviceAccountMount(config), roleName: config.SETUP_ROLE_NAME, role, enableMount: config.SETUP_ENABLE_MOUNT, signal }, log);
    }
    const plan = { policyName: config.SETUP_POLICY_NAME, policy, mount: config.SETUP_APPROLE_MOUNT, roleName: config.SETUP_ROLE_NAME, role: desiredRole(config), newSecretId: config.SETUP_NEW_SECRET_ID, wrapTtl: config.SETUP_WRAP_TTL, signal };
    const result = await runSetup(client, plan, log);
    if (result.secretId === undefined) return;
    const manifest = secretManifest({ ...result, secretId: result.secretId }, config.SETUP_SECRET_NAME, config.SETUP_NAMESPACE);
    if (config.SETUP_OUTPUT) {
      await writeFileAtomic(config.SETUP_OUTPUT, manifest, 0o600);
      log.info('Secret manifest written', { file: config.SETUP_OUTPUT, secret: config.SETUP_SECRET_NAME, namespace: config.SETUP_NAMESPACE });
    } else {
      process.stdout.write(manifest);
    }
  },
});
