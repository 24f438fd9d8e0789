// Command line of the bench: sizes, runs, which Nodes run the bundles, which steps run.
export const UNITS = { KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3 };

/** Every step the bench knows; `--steps` picks a subset (the others still run untimed when a picked step needs their output). */
export const STEPS = ['cold', 'taker', 'uploader', 'fetcher', 'restore', 'pinned'];

const list = (v, what) => {
  if (v === undefined || v.startsWith('--')) throw new Error(`${what} needs a value`);
  return v.split(',').map((s) => s.trim()).filter(Boolean);
};

/**
 * Parses `[sizes...] [--runs N] [--node 24,20|PATH,...] [--steps a,b] [--cold-runs N]`.
 * Defaults: 512MiB and 1GiB, two runs, Node 24 and Node 20, every step, 20 cold-start runs.
 */
export function parseArgs(argv) {
  const opts = { sizes: [], runs: 2, nodes: ['24', '20'], steps: [...STEPS], coldRuns: 20 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--runs') opts.runs = Number(argv[++i]);
    else if (a === '--cold-runs') opts.coldRuns = Number(argv[++i]);
    else if (a === '--node') opts.nodes = list(argv[++i], '--node');
    else if (a === '--steps') opts.steps = list(argv[++i], '--steps');
    else {
      const m = /^(\d+)(KiB|MiB|GiB)$/.exec(a);
      if (!m) throw new Error(`not a size or option: ${a} (sizes look like 512MiB, 1GiB)`);
      opts.sizes.push({ label: a, bytes: Number(m[1]) * UNITS[m[2]] });
    }
  }
  if (opts.sizes.length === 0) opts.sizes = [{ label: '512MiB', bytes: 512 * UNITS.MiB }, { label: '1GiB', bytes: UNITS.GiB }];
  if (!(opts.runs >= 1)) throw new Error('--runs must be at least 1');
  if (!(opts.coldRuns >= 1)) throw new Error('--cold-runs must be at least 1');
  const unknown = opts.steps.filter((s) => !STEPS.includes(s));
  if (unknown.length > 0) throw new Error(`unknown step ${unknown.join(', ')} (steps: ${STEPS.join(', ')})`);
  if (opts.nodes.length === 0) throw new Error('--node needs at least one Node');
  return opts;
}
