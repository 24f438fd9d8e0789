export { type BundleResult, bundlePath, node24Path, repoRoot, type RunBundleOptions, runBundle } from './run-bundle';
export { type Pushgateway, pushgatewayBinary, startPushgateway, startSilentServer } from './pushgateway/index';
export { type S3Server, type S3ServerOptions, startS3Server } from './s3-server/index';
export { fakeSeal, gzipBuffer, MALFORMED_KINDS, type MalformedKind, malformedArchive, metaJson, randomStream, sampleState, type SealOption, type SnapshotArchiveBufferOptions, type SnapshotArchiveStreamOptions, snapshotArchiveBuffer, snapshotArchiveStream, snapshotEntries, type SnapshotMeta, sha256Hex, sha256sums, type TarEntry, tarBuffer, tarEnd, tarHeader, tarPadding } from './archive/index';
export { type FailNext, type InitResult, type LoggedRequest, type SealType, startVaultDouble, type VaultDouble, type VaultDoubleFaults, type VaultDoubleOptions, type VaultDoubleState } from './vault-double/index';
export { describeRequest, type ProxiedRequest, type RequestInfo, type S3FaultAction, type S3FaultProxy, type S3FaultProxyOptions, type S3FaultRule, type S3Operation, signatureProblem, startS3FaultProxy } from './s3-fault-proxy/index';
export { type AdminVault, createServiceAccountIssuer, type IssuerAlg, type ServiceAccountAuthOptions, type ServiceAccountIssuer, type ServiceAccountTokenOptions, serviceAccountClaims, setUpServiceAccountAuth } from './service-account/index';
export { createTestPki, type TestPki } from './tls/index';
