import { Readable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
// types only: the SDK's own middleware types (a dependency of @aws-sdk/client-s3)
import type { FinalizeHandler, FinalizeHandlerArguments, MetadataBearer } from '@smithy/types';

const SLICE = 64 * 1024;

function* slices(body: Uint8Array): Generator<Buffer> {
  for (let at = 0; at < body.byteLength; at += SLICE) yield Buffer.from(body.buffer, body.byteOffset + at, Math.min(SLICE, body.byteLength - at));
}

/**
 * Sends an in-memory body (a part) to Node as a stream of 64 KiB views of the same memory, after it
 * was signed. Written as one 8 MiB buffer, a part shows no progress on its socket until the kernel
 * took all of it, so the speed floor could not tell a slow link from a stalled one. Each attempt
 * gets a fresh stream: the retry middleware, outside this one, resends the request it holds.
 */
export function sendBodiesInSlices(client: S3Client): void {
  client.middlewareStack.addRelativeTo(
    (next: FinalizeHandler<object, MetadataBearer>) => async (args: FinalizeHandlerArguments<object>) => {
      const request = args.request as { body?: unknown };
      if (!(request.body instanceof Uint8Array) || request.body.byteLength <= SLICE) return next(args);
      const sliced = Object.assign(Object.create(Object.getPrototypeOf(request) as object) as object, request, { body: Readable.from(slices(request.body), { objectMode: false }) });
      return next({ ...args, request: sliced });
    },
    { name: 'sendBodiesInSlices', relation: 'after', toMiddleware: 'httpSigningMiddleware' },
  );
}
