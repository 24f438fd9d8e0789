export { type OpenedStream, type RequestOptions, type UploadOptions, VaultClient, type VaultClientOptions, type VaultResponse } from './client';
export { type VaultConnectionConfig, vaultClientFromConfig, vaultConnectionShape, vaultTransferShape } from './config';
export { codeForStatus, vaultErrors } from './errors-of';
export type { ReopenableBody } from './exchange';
export { REDIRECT_PATHS, redirectTarget } from './redirect';
export { backoffDelay, DEFAULT_RETRY, isRetryableNetworkError, isRetryableStatus, type RetryPolicy, retryAfterMs, sleep } from './retry';
export { type OpenStreamOptions, openVaultStream } from './stream';
export type { VaultMethod } from './transport';
