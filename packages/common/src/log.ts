/** Field names whose values are never logged, whatever their type. */
const DENY = /token|secret|password|passwd|unseal|recovery_key|keys_base64|^keys$|credential|authorization|role_id|sessiontoken/i;
const REDACTED = '[REDACTED]';

/** Registered secret values: scrubbed from every message and string field. */
const secretValues = new Set<string>();

/** Marks a value as secret so that no log line can ever contain it. */
export function registerSecret(value: string | undefined): void {
  if (value && value.length >= 4) secretValues.add(value);
}

/** `scheme://user:password@` at the start of a URL: the userinfo is a credential wherever it appears. */
const USERINFO = /\b([a-z][a-z\d+.-]*:\/\/)[^\s/?#@]*@/gi;

/** A URL (or any text holding URLs) without userinfo: `http://user:pw@host:8200` becomes `http://host:8200`. */
export function withoutUserinfo(text: string): string {
  return text.replace(USERINFO, '$1');
}

/** Replaces every registered secret inside a string, and drops the userinfo of every URL in it. */
export function scrub(text: string): string {
  let out = text;
  for (const s of secretValues) if (out.includes(s)) out = out.split(s).join(REDACTED);
  return withoutUserinfo(out);
}

function redact(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return scrub(value);
  if (value === null || typeof value !== 'object' || depth > 4) return value;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = DENY.test(k) ? REDACTED : redact(v, depth + 1);
  return out;
}

export type Level = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(component: string): Logger;
}

export interface LoggerOptions {
  component: string;
  level?: Level;
  /** Where lines go; stdout by default. */
  write?: (line: string) => void;
}

/** JSON logger: one object per line with time, level, msg, component, then redacted fields. */
export function createLogger(options: LoggerOptions): Logger {
  const min = ORDER[options.level ?? 'info'];
  const write = options.write ?? ((line: string) => process.stdout.write(line));
  const emit = (level: Level, msg: string, fields?: Record<string, unknown>) => {
    if (ORDER[level] < min) return;
    const record = { time: new Date().toISOString(), level, msg: scrub(msg), component: options.component, ...(redact(fields ?? {}) as object) };
    write(`${JSON.stringify(record)}\n`);
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (component) => createLogger({ ...options, component }),
  };
}

/** Parses LOG_LEVEL; unknown values fall back to info. */
export function levelFrom(value: string | undefined): Level {
  return value === 'debug' || value === 'info' || value === 'warn' || value === 'error' ? value : 'info';
}
