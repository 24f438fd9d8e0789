import type { FinalizeHandler, FinalizeHandlerArguments, MetadataBearer, MiddlewareStack } from '@smithy/types';

/**
 * Lets the SDK send a part again when the store answers 400 BadDigest: the bytes it received do not
 * match the Content-MD5 we sent, so they were damaged on the way. The error is marked retryable
 * (the SDK's own `$retryable` trait), so the resend uses S3_MAX_ATTEMPTS and the SDK's backoff. Safe:
 * the part is still in memory, and a second UploadPart of the same number (or PutObject of the same
 * key) replaces the first.
 */
export function resendOnBadDigest<Input extends object, Output extends MetadataBearer>(command: { middlewareStack: MiddlewareStack<Input, Output> }): void {
  command.middlewareStack.addRelativeTo(
    (next: FinalizeHandler<Input, Output>) => async (args: FinalizeHandlerArguments<Input>) => {
      try {
        return await next(args);
      } catch (err) {
        // inside the retry middleware: it sees the mark when it decides whether to try again
        if ((err as { name?: unknown } | undefined)?.name === 'BadDigest') Object.assign(err as object, { $retryable: {} });
        throw err;
      }
    },
    { name: 'resendOnBadDigest', relation: 'after', toMiddleware: 'retryMiddleware' },
  );
}
