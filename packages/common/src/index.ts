export { bool, count, duration, type EnvSpec, httpUrl, knownEnvNames, parseEnv, renderHelp, required, requiredEnvNames, size } from './config/index';
export { AppError, ConfigError, describeError, type ErrorCode, S3Error, SnapshotError, VaultError } from './errors';
export { createLogger, type Level, levelFrom, type Logger, registerSecret, scrub } from './log';
export { type MainContext, type MainOptions, runMain } from './run-main';
