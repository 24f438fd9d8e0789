// What a bench invocation will run, and roughly how long, printed before it starts.

/** Seconds per GiB of each run, from the 1 GiB results in docs/PERFORMANCE.md (2 shared cores); a loaded machine is slower. */
const SECONDS_PER_GIB = { taker: 7.6, curlO: 3, uploader: 15.6, awsCp2: 22.5, fetcher: 6.6, awsCp: 3.8, curlSigv4: 2.2, restore: 7.4, restorePeer: 4, floor: 4 };
const COLD_RUN_SECONDS = 0.2;
/** Fixed cost whatever the size: a bundle's start (about 0.3 s), the aws CLI's (about 1 s), a fresh double per restore run. */
const BUNDLE_RUN_SECONDS = 0.5;
const PEER_RUN_SECONDS = 0.5;
const ITERATION_OVERHEAD_SECONDS = 5;

/** { bundleRuns, peerRuns, coldRuns, gib, seconds } for the options of one invocation. */
export function estimate(opts, nodes, { pin, cacheNodes }) {
  const s = new Set(opts.steps);
  const k = nodes.length;
  const S = SECONDS_PER_GIB;
  let bundleRuns = 0;
  let peerRuns = 0;
  let perGib = 0;
  const add = (ours, oursSec, peers, peerSec) => {
    bundleRuns += ours;
    peerRuns += peers;
    perGib += ours * oursSec + peerSec;
  };
  const sized = ['taker', 'uploader', 'fetcher', 'restore'].some((x) => s.has(x));
  if (sized) {
    add(k, 0, 1, 0); // login
    if (s.has('taker')) add(k, S.taker, 1, S.curlO);
    else add(1, S.taker, 0, 0);
    if (s.has('taker') && pin) add(k, S.taker, 1, S.curlO);
    if (s.has('taker') || s.has('fetcher')) add(0, 0, 3, S.floor);
    if (s.has('uploader')) add(k, S.uploader, 2, S.awsCp2);
    else if (s.has('fetcher')) add(1, S.uploader, 0, 0);
    if (s.has('fetcher')) add(k, S.fetcher, 2, S.awsCp + S.curlSigv4);
    if (s.has('fetcher') && pin) add(k, S.fetcher, 1, S.curlSigv4);
    if (s.has('restore')) add(k, S.restore, 1, S.restorePeer);
  }
  const iterations = sized ? opts.runs * opts.sizes.length : 0;
  const gib = sized ? opts.runs * opts.sizes.reduce((t, z) => t + z.bytes / 1024 ** 3, 0) : 0;
  const coldConfigs = s.has('cold') ? k * 7 + cacheNodes * 6 : 0;
  const coldRuns = coldConfigs * (opts.coldRuns + 1);
  const fixed = iterations * (ITERATION_OVERHEAD_SECONDS + bundleRuns * BUNDLE_RUN_SECONDS + peerRuns * PEER_RUN_SECONDS);
  const seconds = perGib * gib + fixed + coldRuns * COLD_RUN_SECONDS;
  return { bundleRuns: bundleRuns * iterations, peerRuns: peerRuns * iterations, coldRuns, gib: Math.round(gib * 100) / 100, seconds: Math.round(seconds) };
}
