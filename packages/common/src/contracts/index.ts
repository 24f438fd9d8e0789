export { keyTimestamp, snapshotKey, snapshotKeyPattern, timeOfSnapshotKey } from './keys';
export { type ObjectFacts, objectFactsOf, objectMetadataOf } from './object-metadata';
export { decideRestorePod, type PodDecision } from './restore-pod';
export { readSnapshotRecord, recordPathFor, type SnapshotRecord, type SourceVault, snapshotRecordSchema, sourceVaultSchema, writeSnapshotRecord } from './snapshot-record';
