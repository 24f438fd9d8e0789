import { ConfigError } from '@vault-raft-backup/common';

/**
 * Maps `--role-name=x` or `--role-name x` style flags onto the SETUP_* variables
 * (`SETUP_ROLE_NAME=x`); flags win over the environment.
 * @throws ConfigError on an argument that is not a flag with a value.
 */
export function envFromFlags(argv: readonly string[], env: Record<string, string | undefined>): Record<string, string | undefined> {
  const out = { ...env };
  const bad: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const m = /^--([a-z][a-z0-9-]*)(?:=(.*))?$/s.exec(arg);
    let value = m?.[2];
    if (m?.[1] && value === undefined && i + 1 < argv.length && !(argv[i + 1] ?? '').startsWith('--')) value = argv[++i];
    if (!m?.[1] || value === undefined) {
      bad.push(`argument ${JSON.stringify(arg)}: expected --name=value or --name value (see --help)`);
      continue;
    }
    out[`SETUP_${m[1].toUpperCase().replace(/-/g, '_')}`] = value;
  }
  if (bad.length > 0) throw new ConfigError(bad);
  return out;
}
