// Our snapshot-taker and restore-fetcher against the floor (CPU) and against curl (wall, unpinned and pinned).
import { best, MIB, round } from './report.mjs';

const GIB = 1024 * MIB;
const minCpu = (sides) => {
  const cpu = sides.filter(Boolean).map((s) => s.cpuSeconds).filter(Number.isFinite);
  return cpu.length ? Math.min(...cpu) : undefined;
};

/** Wall of ours against the peer in one arrangement: each side's best run and their ratio (ours / peer). */
function wall(ours, peer) {
  const o = best(ours);
  const p = best(peer);
  if (!o || !p) return undefined;
  return { oursSeconds: round(o.seconds, 2), peerSeconds: round(p.seconds, 2), ratio: round(o.seconds / p.seconds, 2) };
}

/**
 * One entry per (step, Node) of a size: our lowest CPU over every run (unpinned and pinned) against the floor, which is the
 * peer curl's lowest CPU plus the lowest CPU seen for sha256 of the archive, inflating it, and sha256 of state.bin.
 */
export function floorsOf(sizeLabel, bytes, iterations, nodes) {
  const floors = iterations.map((it) => it.snapshot.floor).filter(Boolean);
  if (floors.length === 0) return [];
  const parts = {
    archiveSha: minCpu(floors.map((f) => f.archiveSha)),
    inflate: minCpu(floors.map((f) => f.inflate)),
    stateSha: minCpu(floors.map((f) => f.stateSha)),
  };
  const shared = parts.archiveSha + parts.inflate + parts.stateSha;
  const steps = [
    { step: 'snapshot-taker', peer: 'curl -o', ours: (it) => it.snapshot, peerOf: (side) => side?.peer },
    { step: 'restore-fetcher', peer: 'curl --aws-sigv4', ours: (it) => it.fetch, peerOf: (side) => side?.curl },
  ];
  const out = [];
  for (const s of steps) {
    const sides = iterations.map(s.ours).filter((x) => x?.ours);
    if (sides.length === 0) continue;
    const transfer = minCpu([...sides.map(s.peerOf), ...sides.map((x) => s.peerOf(x.pinned))]);
    const floorCpu = transfer + shared;
    for (const { label: n } of nodes) {
      const oursCpu = minCpu([...sides.map((x) => x.ours[n]), ...sides.map((x) => x.pinned?.ours[n])]);
      out.push({
        size: sizeLabel,
        bytes,
        node: n,
        step: s.step,
        peer: s.peer,
        oursCpuSeconds: round(oursCpu, 2),
        floorCpuSeconds: round(floorCpu, 2),
        floorParts: { transfer: round(transfer, 2), archiveSha: round(parts.archiveSha, 2), inflate: round(parts.inflate, 2), stateSha: round(parts.stateSha, 2) },
        floorRatio: round(oursCpu / floorCpu, 2),
        oursCpuPerGiB: round(oursCpu / (bytes / GIB), 2),
        floorCpuPerGiB: round(floorCpu / (bytes / GIB), 2),
        unpinned: wall(sides.map((x) => x.ours[n]), sides.map(s.peerOf)),
        pinned: wall(sides.map((x) => x.pinned?.ours[n]), sides.map((x) => s.peerOf(x.pinned))),
      });
    }
  }
  return out;
}

const num = (v, d = 2) => (v === undefined ? 'n/a' : v.toFixed(d));
const wallCell = (w) => (w ? `${num(w.oursSeconds)} / ${num(w.peerSeconds)} = ${num(w.ratio)}x` : 'not run');

/** The floor and wall table as Markdown. */
export function floorTable(floors) {
  const head = '| size | Node | ours | CPU s | floor CPU s (curl + sha256 archive + inflate + sha256 state.bin) | ours / floor | CPU s per GiB (ours / floor) | peer | wall unpinned: ours / peer s | wall pinned: ours / peer s |';
  const rule = '| --- | --- | --- | ---: | ---: | ---: | ---: | --- | ---: | ---: |';
  const lines = floors.map((f) => {
    const p = f.floorParts;
    return `| ${f.size} | ${f.node} | ${f.step} | ${num(f.oursCpuSeconds)} | ${num(f.floorCpuSeconds)} (${num(p.transfer)} + ${num(p.archiveSha)} + ${num(p.inflate)} + ${num(p.stateSha)}) | ${num(f.floorRatio)}x | ${num(f.oursCpuPerGiB)} / ${num(f.floorCpuPerGiB)} | ${f.peer} | ${wallCell(f.unpinned)} | ${wallCell(f.pinned)} |`;
  });
  return [head, rule, ...lines].join('\n');
}
