// The malloc settings the images give node (ENV MALLOC_... lines of images/Dockerfile), so that the
// bench measures the bundles under the same allocator behaviour as they run in the images.
import { readFileSync } from 'node:fs';

/** { MALLOC_TOP_PAD_: '67108864', ... } from the Dockerfile's `ENV MALLOC_*=value` lines. */
export function imageMallocEnv(dockerfile) {
  const env = {};
  for (const m of readFileSync(dockerfile, 'utf8').matchAll(/^ENV (MALLOC_[A-Z_]+)=(\S+)$/gm)) env[m[1]] = m[2];
  return env;
}
