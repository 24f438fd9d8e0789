export { MALFORMED_KINDS, type MalformedKind, malformedArchive, sampleState } from './malformed';
export { fakeSeal, metaJson, type SnapshotMeta, sha256Hex, sha256sums } from './meta-json';
export { randomStream } from './random-stream';
export {
  gzipBuffer,
  type SealOption,
  type SnapshotArchiveBufferOptions,
  type SnapshotArchiveStreamOptions,
  snapshotArchiveBuffer,
  snapshotArchiveStream,
  snapshotEntries,
} from './snapshot-archive';
export { type TarEntry, tarBuffer, tarEnd, tarHeader, tarPadding } from './tar';
