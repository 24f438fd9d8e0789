import { S3Client } from '@aws-sdk/client-s3';
import { sendBodiesInSlices } from './sliced-body';
import { speedFloorAgents } from './speed-floor';
import type { SpeedFloor } from '../transfer-guard';

/** Everything needed to build an S3 client; credentials unset means the SDK default chain. */
export interface S3ClientOptions {
  region: string;
  /** Custom endpoint of an S3-compatible store; unset for AWS. */
  endpoint?: string | undefined;
  forcePathStyle: boolean;
  /** `WHEN_REQUIRED` keeps stores that do not understand flexible checksums (aws-chunked trailers) working. */
  checksumMode: 'WHEN_REQUIRED' | 'WHEN_SUPPORTED';
  connectTimeoutMs: number;
  /** Idle time after which a request's connection is given up: a store that does not answer. */
  socketTimeoutMs: number;
  /** A request whose bytes move, but slower than this: a store that answers at a crawl. Unset: none. */
  speedFloor?: SpeedFloor | undefined;
  maxAttempts: number;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string | undefined } | undefined;
}

/** Builds the S3 client: region, endpoint and credentials from the options or the SDK chain, bounded timeouts, speed floor and retries. */
export function createS3Client(options: S3ClientOptions): S3Client {
  const client = new S3Client({
    region: options.region,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    forcePathStyle: options.forcePathStyle,
    requestChecksumCalculation: options.checksumMode,
    responseChecksumValidation: options.checksumMode,
    maxAttempts: options.maxAttempts,
    requestHandler: {
      connectionTimeout: options.connectTimeoutMs,
      socketTimeout: options.socketTimeoutMs,
      ...(options.speedFloor ? speedFloorAgents(options.speedFloor) : {}),
    },
    ...(options.credentials ? { credentials: options.credentials } : {}),
  });
  if (options.speedFloor) sendBodiesInSlices(client);
  return client;
}
