export type { SnapshotInfo, VerifyOptions } from './snapshot-checks';
export { MAX_SMALL_FILE, SNAPSHOT_FILES } from './snapshot-entries';
export { SnapshotVerifier } from './snapshot-verifier';
export { streamVerified } from './stream-verified';
export { verifySnapshotFile } from './verify-file';
