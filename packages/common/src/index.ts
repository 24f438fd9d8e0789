export { bool, count, duration, type EnvSpec, httpUrl, knownEnvNames, parseEnv, renderHelp, required, requiredEnvNames, size } from './config/index';
export { AppError, ConfigError, describeError, type ErrorCode, S3Error, SnapshotError, VaultError } from './errors';
export { createLogger, type Level, levelFrom, type Logger, registerSecret, scrub } from './log';
export { type MainContext, type MainOptions, runMain } from './run-main';
export { type AtomicFile, createAtomicFile, readSnapshotRecord, recordPathFor, removeStaleTempFiles, type SnapshotRecord, snapshotRecordSchema, TEMP_MARKER, writeFileAtomic, writeSnapshotRecord } from './files/index';
export { backoffDelay, codeForStatus, DEFAULT_RETRY, type VaultConnectionConfig, vaultClientFromConfig, vaultConnectionShape, isRetryableNetworkError, isRetryableStatus, type OpenedStream, type OpenStreamOptions, openVaultStream, type RequestOptions, type RetryPolicy, sleep, VaultClient, type VaultClientOptions, type VaultResponse, vaultErrors } from './vault/index';
export { MAX_SMALL_FILE, SNAPSHOT_FILES, type SnapshotInfo, SnapshotVerifier, type VerifyOptions, verifySnapshotFile } from './snapshot/index';
