import { ConfigError } from '@vault-raft-backup/common';

/**
 * Maps `--role-name=x` style flags onto the SETUP_* variables (`SETUP_ROLE_NAME=x`);
 * flags win over the environment.
 * @throws ConfigError on an argument that is not `--name=value`.
 */
export function envFromFlags(argv: readonly string[], env: Record<string, string | undefined>): Record<string, string | undefined> {
  const out = { ...env };
  const bad: string[] = [];
  for (const arg of argv) {
    const m = /^--([a-z][a-z0-9-]*)=(.*)$/s.exec(arg);
    if (!m?.[1]) {
      bad.push(`argument ${JSON.stringify(arg)}: expected --name=value (see --help)`);
      continue;
    }
    out[`SETUP_${m[1].toUpperCase().replace(/-/g, '_')}`] = m[2];
  }
  if (bad.length > 0) throw new ConfigError(bad);
  return out;
}
