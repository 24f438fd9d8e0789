export { bool, COUNT_MAX, count, duration, formatBytes, formatMs, httpUrl, httpUrlList, MAX_TIMER_MS, required, size } from './fields';
export { renderHelp } from './help';
export { checkObjectKey, objectKey } from './object-key';
export { type EnvSpec, knownEnvNames, parseEnv, requiredEnvNames } from './parse-env';
export { checkHttpUrl, type UrlRules } from './url';
