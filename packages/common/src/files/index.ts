export { type AtomicFile, createAtomicFile, removeStaleTempFiles, TEMP_MARKER, writeFileAtomic } from './atomic-file';
export { readSnapshotRecord, recordPathFor, type SnapshotRecord, snapshotRecordSchema, writeSnapshotRecord } from './snapshot-record';
