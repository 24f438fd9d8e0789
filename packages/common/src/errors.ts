/** Stable error codes: documented in the root README; never rename one. */
export type ErrorCode =
  | 'CONFIG_INVALID'
  | 'VAULT_UNREACHABLE'
  | 'VAULT_HTTP'
  | 'VAULT_LOGIN_FAILED'
  | 'VAULT_SEALED'
  | 'VAULT_PERMISSION_DENIED'
  | 'VAULT_REDIRECT'
  | 'VAULT_TIMEOUT'
  | 'VAULT_ALREADY_INITIALIZED'
  | 'VAULT_UNSEAL_FAILED'
  | 'RUN_TIMEOUT'
  | 'SNAPSHOT_INVALID'
  | 'SNAPSHOT_INCOMPLETE'
  | 'SNAPSHOT_STALLED'
  | 'SNAPSHOT_STALE'
  | 'S3_FAILED'
  | 'S3_NOT_FOUND'
  | 'S3_ACCESS_DENIED'
  | 'S3_VERIFY_FAILED'
  | 'S3_TIMEOUT'
  | 'RESTORE_FAILED'
  | 'RESTORE_PREFLIGHT'
  | 'DRILL_FAILED'
  | 'FILE_IO'
  | 'SETUP_CONFLICT'
  | 'SETUP_MOUNT_MISSING'
  | 'ABORTED';

/** Base class: a stable `code`, a message that never holds a secret, and the original `cause`. */
export class AppError extends Error {
  readonly code: ErrorCode;
  /** Process exit code that runMain uses for this error. */
  readonly exitCode: number = 1;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** Invalid configuration, detected before any side effect: exit code 2. */
export class ConfigError extends AppError {
  override readonly exitCode = 2;
  readonly problems: string[];

  constructor(problems: string[]) {
    super('CONFIG_INVALID', `invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.problems = problems;
  }
}

/** A failed Vault call; `status` is the HTTP status when Vault answered, `errors` Vault's own `errors` list. */
export class VaultError extends AppError {
  readonly status: number | undefined;
  readonly path: string;
  /** The `errors` list of Vault's answer (`{"errors":[...]}`), empty when it had none or Vault did not answer. */
  readonly errors: readonly string[];
  /** How long the answer's `Retry-After` asked to wait, in milliseconds. */
  readonly retryAfterMs: number | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    details: { path: string; status?: number | undefined; errors?: readonly string[] | undefined; retryAfterMs?: number | undefined; cause?: unknown },
  ) {
    super(code, message, { cause: details.cause });
    this.status = details.status;
    this.path = details.path;
    this.errors = details.errors ?? [];
    this.retryAfterMs = details.retryAfterMs;
  }
}

/** A failed S3 call, naming bucket and key. */
export class S3Error extends AppError {
  readonly bucket: string;
  readonly key: string | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    details: { bucket: string; key?: string | undefined; cause?: unknown },
  ) {
    super(code, message, { cause: details.cause });
    this.bucket = details.bucket;
    this.key = details.key;
  }
}

/** A snapshot archive that is truncated, corrupt or not a raft snapshot. */
export class SnapshotError extends AppError {}

/** Human-readable chain of messages of an error and its causes (no stack traces). */
export function describeError(err: unknown): string {
  const parts: string[] = [];
  let current: unknown = err;
  for (let depth = 0; current !== undefined && current !== null && depth < 5; depth++) {
    if (current instanceof Error) {
      const code = (current as { code?: unknown }).code;
      const text = current.message || current.name;
      parts.push(typeof code === 'string' && !text.includes(code) && !(current instanceof AppError) ? `${text} (${code})` : text);
      current = current.cause;
    } else {
      // a plain-object cause would print as "[object Object]" and may hold request options or a body: only strings are shown
      if (typeof current === 'string') parts.push(current);
      break;
    }
  }
  return [...new Set(parts)].join(': ');
}
