import type { BuildHandler, BuildHandlerArguments, MetadataBearer, MiddlewareStack } from '@smithy/types';

/**
 * Over https, signs an upload's headers but not its bytes (`x-amz-content-sha256: UNSIGNED-PAYLOAD`,
 * SigV4's documented choice for TLS): otherwise the SDK hashes every part with sha256 once more just to
 * sign it, about 0.7 CPU s per GiB. What the payload signature would add is already there: TLS protects the
 * bytes on the way, the signed Content-MD5 makes the store refuse a damaged part, and the read-back hashes
 * what the store keeps. Over plain http the payload stays signed, as nothing else protects it on the way.
 */
export function unsignedPayloadOverTls<Input extends object, Output extends MetadataBearer>(command: { middlewareStack: MiddlewareStack<Input, Output> }): void {
  command.middlewareStack.add(
    (next: BuildHandler<Input, Output>) => async (args: BuildHandlerArguments<Input>) => {
      const request = args.request as { protocol?: unknown; headers?: Record<string, string> };
      if (request.protocol === 'https:' && request.headers !== undefined) request.headers['x-amz-content-sha256'] = 'UNSIGNED-PAYLOAD';
      return next(args);
    },
    { step: 'build', name: 'unsignedPayloadOverTls' },
  );
}
