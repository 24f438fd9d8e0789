export { type AtomicFile, createAtomicFile, removeStaleTempFiles, TEMP_MARKER, writeFileAtomic } from './atomic-file';
