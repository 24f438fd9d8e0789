export { bool, count, duration, httpUrl, required, size } from './fields';
export { renderHelp } from './help';
export { type EnvSpec, knownEnvNames, parseEnv, requiredEnvNames } from './parse-env';
