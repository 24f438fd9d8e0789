/** One `path "..." { capabilities = [...] }` rule. */
export interface PathRule {
  path: string;
  glob: boolean;
  capabilities: string[];
}

const RULE = /path\s+"([^"]*)"\s*\{([^}]*)\}/g;
const CAPS = /capabilities\s*=\s*\[([^\]]*)\]/;

/** Parses the subset of HCL ACL policies the project uses. @throws Error on a policy without any valid rule. */
export function parsePolicy(hcl: string): PathRule[] {
  const rules: PathRule[] = [];
  for (const match of hcl.replace(/#[^\n]*/g, '').matchAll(RULE)) {
    const [, rawPath = '', body = ''] = match;
    const caps = CAPS.exec(body);
    const list = caps?.[1] ? [...caps[1].matchAll(/"([^"]+)"/g)].map((m) => m[1] ?? '') : [];
    const glob = rawPath.endsWith('*');
    rules.push({ path: glob ? rawPath.slice(0, -1) : rawPath, glob, capabilities: list });
  }
  if (rules.length === 0 && hcl.trim() !== '') throw new Error('failed to parse policy: no path rules found');
  return rules;
}

/** Vault's built-in `default` policy, reduced to the paths the double serves. */
export const DEFAULT_POLICY = `
path "auth/token/lookup-self" { capabilities = ["read"] }
path "auth/token/renew-self" { capabilities = ["update"] }
path "auth/token/revoke-self" { capabilities = ["update"] }
path "sys/capabilities-self" { capabilities = ["update"] }
path "sys/wrapping/unwrap" { capabilities = ["update"] }
path "sys/wrapping/lookup" { capabilities = ["update"] }
`;

/**
 * Capabilities granted on `path` by a set of policies: exact rules win over globs, the longest glob
 * prefix wins among globs, and `deny` empties the result (Vault's ACL precedence, simplified).
 */
export function capabilitiesFor(rulesByPolicy: PathRule[][], path: string): Set<string> {
  const exact = new Set<string>();
  let exactFound = false;
  let bestGlob = -1;
  let globCaps = new Set<string>();
  for (const rule of rulesByPolicy.flat()) {
    if (!rule.glob && rule.path === path) {
      exactFound = true;
      for (const c of rule.capabilities) exact.add(c);
    } else if (rule.glob && path.startsWith(rule.path)) {
      if (rule.path.length > bestGlob) {
        bestGlob = rule.path.length;
        globCaps = new Set(rule.capabilities);
      } else if (rule.path.length === bestGlob) {
        for (const c of rule.capabilities) globCaps.add(c);
      }
    }
  }
  const caps = exactFound ? exact : globCaps;
  return caps.has('deny') ? new Set() : caps;
}
