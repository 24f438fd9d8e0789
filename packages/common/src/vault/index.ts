export { codeForStatus, type RequestOptions, VaultClient, type VaultClientOptions, type VaultResponse, vaultErrors } from './client';
export { backoffDelay, DEFAULT_RETRY, isRetryableNetworkError, isRetryableStatus, type RetryPolicy, sleep } from './retry';
export { type OpenedStream, type OpenStreamOptions, openVaultStream } from './stream';
export { type VaultConnectionConfig, vaultClientFromConfig, vaultConnectionShape } from './config';
