import type { z } from 'zod';
import { spec as loginSpec } from '@vault-raft-backup/approle-login/src/config';
import { spec as kubernetesLoginSpec } from '@vault-raft-backup/kubernetes-login/src/config';
import { spec as fetcherSpec } from '@vault-raft-backup/restore-fetcher/src/config';
import { spec as runnerSpec } from '@vault-raft-backup/restore-runner/src/config';
import { spec as uploaderSpec } from '@vault-raft-backup/s3-uploader/src/config';
import { spec as setupSpec } from '@vault-raft-backup/setup/src/config';
import { spec as takerSpec } from '@vault-raft-backup/snapshot-taker/src/config';
import { runBundle } from '@vault-raft-backup/testkit';
import { removeWorkDirs, tree, workDir } from './support/files';
import { currentCase, keepOutput, withFault } from './support/ledger';

/** A wrong value for a variable, or `free` for a free-form one (any string is a valid value there; its use is checked at run time). */
type Bad = string | 'free';

const VAULT: Record<string, Bad> = { VAULT_ADDR: 'vault.example:8200', VAULT_CACERT: 'free', VAULT_SKIP_VERIFY: 'yes', VAULT_NAMESPACE: 'free', VAULT_TIMEOUT: '30 parsecs', VAULT_RETRY_TIMEOUT: 'a minute', VAULT_MAX_RETRIES: '-1' };
const TRANSFER: Record<string, Bad> = { VAULT_TRANSFER_MIN_SPEED: 'fast', VAULT_TRANSFER_SPEED_TIME: '0' };
/** Below the 1 s floor of RUN_TIMEOUT. */
const RUN = { RUN_TIMEOUT: '10ms' };
const S3: Record<string, Bad> = {
  S3_BUCKET: '',
  S3_PREFIX: '../other-bucket/',
  S3_FORCE_PATH_STYLE: 'True',
  S3_CHECKSUM_MODE: 'ALWAYS',
  S3_CONNECT_TIMEOUT: '10x',
  S3_SOCKET_TIMEOUT: 'forever',
  S3_TRANSFER_MIN_SPEED: '0',
  S3_TRANSFER_SPEED_TIME: '100ms',
  S3_MAX_ATTEMPTS: 'three',
  AWS_REGION: 'free',
  AWS_ENDPOINT_URL_S3: 'minio:9000',
  // only one of the two static keys: reported under AWS_SECRET_ACCESS_KEY
  AWS_ACCESS_KEY_ID: 'free',
  AWS_SECRET_ACCESS_KEY: '',
};
/** Every entrypoint that pushes metrics (its schema spreads the metrics variables) gets these wrong too. */
const METRICS: Record<string, Bad> = { PROMETHEUS_PUSHGATEWAY_URL: 'pushgateway:9091', METRICS_JOB: 'free', METRICS_INSTANCE: 'free', METRICS_PUSH_TIMEOUT: 'briefly', METRICS_TEXTFILE: 'metrics.txt' };

interface Case {
  bundle: 'approle-login' | 'kubernetes-login' | 'snapshot-taker' | 's3-uploader' | 'restore-fetcher' | 'restore-runner' | 'setup';
  spec: { schema: z.ZodObject };
  bad: Record<string, Bad>;
  /** Valid values some cross-field checks need to fire. */
  valid?: Record<string, string>;
}

const CASES: Case[] = [
  { bundle: 'approle-login', spec: loginSpec, bad: { ...VAULT, ...RUN, VAULT_APPROLE_MOUNT: 'app role!', VAULT_ROLE_ID: '', VAULT_SECRET_ID: '', VAULT_TOKEN_FILE: '' } },
  { bundle: 'kubernetes-login', spec: kubernetesLoginSpec, bad: { ...VAULT, ...RUN, VAULT_AUTH_ROLE: 'backup role', VAULT_AUTH_MOUNT: 'k8s auth!', VAULT_JWT_FILE: 'token', VAULT_TOKEN_FILE: '' } },
  { bundle: 'snapshot-taker', spec: takerSpec, bad: { ...VAULT, ...TRANSFER, ...RUN, VAULT_TOKEN: '', SNAPSHOT_FILE: '', VAULT_REVOKE_TOKEN: 'yes', SNAPSHOT_STALL_TIMEOUT: 'soon', SNAPSHOT_FIRST_BYTE_TIMEOUT: 'later' } },
  {
    bundle: 's3-uploader',
    spec: uploaderSpec,
    bad: { ...S3, ...RUN, SNAPSHOT_FILE: '', S3_LATEST_KEY: 'vault-raft-snapshot-2020-01-01T00-00-00Z.snap', S3_SSE: 'rot13', S3_SSE_KMS_KEY_ID: 'arn:aws:kms:key', S3_STORAGE_CLASS: 'cold', BACKUP_RETAIN: 'all', S3_PART_SIZE: '1MiB', S3_QUEUE_SIZE: '0' },
    valid: { AWS_ACCESS_KEY_ID: 'AKIAONLYTHEKEYID' },
  },
  {
    bundle: 'restore-fetcher',
    spec: fetcherSpec,
    bad: { ...S3, ...RUN, SNAPSHOT_FILE: '', S3_LATEST_KEY: '/latest.snap', RESTORE_KEY: 'prod//latest.snap', RESTORE_ALLOW_MISSING_CHECKSUM: 'maybe', RESTORE_LIST: 'no', RESTORE_LIST_FORMAT: 'xml', RESTORE_POD: 'free', HOSTNAME: 'free', RESTORE_MAX_AGE: '0h' },
    valid: { AWS_ACCESS_KEY_ID: 'AKIAONLYTHEKEYID' },
  },
  {
    bundle: 'restore-runner',
    spec: runnerSpec,
    bad: {
      ...VAULT,
      ...TRANSFER,
      ...RUN,
      SNAPSHOT_FILE: '',
      RESTORE_POD: 'free',
      HOSTNAME: 'free',
      VAULT_UNSEAL_KEYS: 'free',
      RESTORE_VERIFY_TOKEN: 'free',
      VAULT_TOKEN: '',
      RESTORE_EXIT_WHEN_DONE: 'yes',
      RESTORE_FORCE_OVER_INITIALIZED: 'free',
      RESTORE_INIT_SHARES: 'five',
      RESTORE_INIT_THRESHOLD: 'x',
      RESTORE_WAIT_TIMEOUT: 'long',
      RESTORE_PEER_ADDRS: 'vault-1:8200',
      RESTORE_MARKER_FILE: 'free',
      RESTORE_REPORT_FILE: 'free',
      RESTORE_STATE_FILE: 'free',
      RESTORE_ALLOW_OLDER_VAULT: 'maybe',
      RESTORE_DRILL: 'yes',
      RESTORE_DRILL_MIN_LEVEL: '5',
      RESTORE_CANARY_PATH: 'free',
      RESTORE_CANARY_FIELD: 'free',
      RESTORE_CANARY_VALUE: 'free',
      // read only when this pod restores (a deleted keys Secret must not stop the others)
      VAULT_UNSEAL_KEYS_FILE: 'free',
    },
    // with force on and no VAULT_TOKEN, VAULT_TOKEN is the cross-field problem
    valid: { RESTORE_FORCE_OVER_INITIALIZED: 'true' },
  },
  {
    bundle: 'setup',
    spec: setupSpec,
    bad: {
      ...VAULT,
      ...RUN,
      VAULT_TOKEN: '',
      SETUP_POLICY_NAME: 'bad name',
      SETUP_ROLE_NAME: 'bad/role',
      SETUP_APPROLE_MOUNT: 'app role',
      SETUP_AUTH: 'ldap',
      SETUP_AUTH_MOUNT: 'k8s auth!',
      SETUP_ENABLE_MOUNT: 'yes',
      SETUP_SERVICE_ACCOUNT: 'Backup_SA',
      SETUP_AUDIENCE: 'vault,api',
      SETUP_TOKEN_TTL: '10 minutes',
      SETUP_TOKEN_MAX_TTL: 'forever',
      SETUP_SECRET_ID_TTL: '-1',
      SETUP_BOUND_CIDRS: 'free',
      SETUP_WRAP_TTL: '5 min',
      SETUP_NEW_SECRET_ID: 'yes',
      SETUP_SECRET_NAME: 'free',
      SETUP_NAMESPACE: 'Backup_NS',
      SETUP_OUTPUT: 'free',
    },
  },
];

afterAll(removeWorkDirs);

describe('every configuration variable with a wrong type or value', () => {
  it.each(CASES.map((c) => [c.bundle, c] as const))('I-CONFIG %s: every wrong value at once: exit 2, CONFIG_INVALID listing each variable, nothing done', (bundle, c) =>
    withFault(
      { id: `I-CONFIG ${bundle}`, area: 'Bad input', fault: `every variable of ${bundle} wrong`, injection: 'each schema variable set to a wrong type/value (empty for required ones), all at once; free-form ones listed as such', expected: 'exit 2, one CONFIG_INVALID message naming every wrong variable, no file written, no request' },
      async (f) => {
        const bad = 'PROMETHEUS_PUSHGATEWAY_URL' in c.spec.schema.shape ? { ...METRICS, ...c.bad } : c.bad;
        expect(Object.keys(c.spec.schema.shape).sort()).toEqual(Object.keys(bad).sort());
        const wrong = Object.entries(bad).filter(([, v]) => v !== 'free');
        const cwd = workDir(`config-${bundle}`);
        const env: Record<string, string> = { ...Object.fromEntries(wrong), ...c.valid };
        f.inject(wrong.length);
        const result = await runBundle(bundle, { env, cwd });
        const c2 = currentCase();
        if (c2) c2.runs++;
        keepOutput(bundle, `${result.stdout}\n${result.stderr}`);
        expect(result.code).toBe(2);
        const text = `${result.stdout}\n${result.stderr}`;
        expect(text).toContain('CONFIG_INVALID');
        const missing = wrong.map(([name]) => name).filter((name) => !text.includes(`${name}:`));
        expect(missing).toEqual([]);
        f.intact('no file written', tree(cwd).length === 0);
      },
    ));
});
