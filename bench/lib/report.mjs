// Aggregates iterations (best time, highest peak RSS) and prints the table.
const MIB = 1024 * 1024;

function best(sides) {
  const present = sides.filter(Boolean);
  if (present.length === 0) return undefined;
  const fastest = present.reduce((a, b) => (b.seconds < a.seconds ? b : a));
  return { ...fastest, seconds: fastest.seconds, rssKiB: Math.max(...present.map((s) => s.rssKiB ?? 0)), runs: present.map((s) => round(s.seconds, 2)) };
}

const round = (n, d = 1) => (Number.isFinite(n) ? Math.round(n * 10 ** d) / 10 ** d : undefined);

function sum(...sides) {
  if (sides.some((s) => !s)) return undefined;
  return { seconds: sides.reduce((t, s) => t + s.seconds, 0), rssKiB: Math.max(...sides.map((s) => s.rssKiB ?? 0)), cpuSeconds: sides.reduce((t, s) => t + (s.cpuSeconds ?? 0), 0) };
}

/** The read-back (s3-uploader's integrity check) of the fastest upload run: its seconds, share of the run, and the speed-up without it. */
function readBackOf(ours, peer) {
  const o = best(ours);
  const p = best(peer);
  if (!o || !p || !Number.isFinite(o.readBackSeconds)) return {};
  return {
    oursUploadPartsSeconds: round(o.uploadPartsSeconds, 2),
    oursReadBackSeconds: round(o.readBackSeconds, 2),
    readBackShare: round(o.readBackSeconds / o.seconds, 2),
    withoutReadBackSpeedup: round(p.seconds / (o.seconds - o.readBackSeconds), 2),
  };
}

/** Rows of one size from its iterations: each step's best run of ours and of the peer. */
export function rowsOf(sizeLabel, bytes, iterations) {
  const pick = (f) => iterations.map(f);
  const row = (step, oursName, peerName, ours, peer, extra = {}) => {
    const o = best(ours);
    const p = best(peer);
    return {
      size: sizeLabel,
      bytes,
      step,
      ours: oursName,
      peer: peerName,
      oursSeconds: round(o?.seconds, 2),
      oursMiBps: o ? round(bytes / MIB / o.seconds) : undefined,
      oursRssMiB: o ? round(o.rssKiB / 1024) : undefined,
      oursCpuSeconds: round(o?.cpuSeconds, 2),
      oursRuns: o?.runs,
      peerSeconds: round(p?.seconds, 2),
      peerMiBps: p ? round(bytes / MIB / p.seconds) : undefined,
      peerRssMiB: p ? round(p.rssKiB / 1024) : undefined,
      peerCpuSeconds: round(p?.cpuSeconds, 2),
      peerRuns: p?.runs,
      speedup: o && p ? round(p.seconds / o.seconds, 2) : undefined,
      progressLines: o?.progressLines,
      maxLogGapSeconds: o?.maxLogGapSeconds,
      maxLogGapAt: o?.maxLogGapAt,
      ...extra,
    };
  };
  const restoreOurs = pick((it) => it.restore.ours);
  const uploadOnly = Math.min(...restoreOurs.map((o) => o.uploadSeconds).filter(Number.isFinite));
  return [
    row('snapshot download + verify', 'snapshot-taker', 'curl -o', pick((it) => it.snapshot.ours), pick((it) => it.snapshot.peer)),
    row('upload (+ verify + latest)', 's3-uploader', 'aws s3 cp x2', pick((it) => it.upload.ours), pick((it) => it.upload.peer), readBackOf(pick((it) => it.upload.ours), pick((it) => it.upload.peer))),
    row('download for restore', 'restore-fetcher', 'aws s3 cp', pick((it) => it.fetch.ours), pick((it) => it.fetch.peer)),
    row('download for restore', 'restore-fetcher', 'curl --aws-sigv4', pick((it) => it.fetch.ours), pick((it) => it.fetch.curl)),
    row('restore upload', 'restore-runner (whole run)', iterations.at(-1).restore.peerHow, restoreOurs, pick((it) => it.restore.peer), {
      oursUploadSeconds: round(uploadOnly, 2),
      uploadOnlySpeedup: round(best(pick((it) => it.restore.peer)).seconds / uploadOnly, 2),
    }),
    row(
      'whole backup',
      'login + taker + uploader',
      'curl login + curl -o + aws cp x2',
      pick((it) => sum(it.login.ours, it.snapshot.ours, it.upload.ours)),
      pick((it) => sum(it.login.peer, it.snapshot.peer, it.upload.peer)),
    ),
  ];
}

const fmt = (v, w, d) => (v === undefined ? 'n/a' : typeof v === 'number' && d !== undefined ? v.toFixed(d) : String(v)).padStart(w);

/** The results table as Markdown (also readable in a terminal). */
export function table(rows) {
  const head = '| size | step | ours | s | MiB/s | CPU s | peak RSS MiB | peer | s | MiB/s | CPU s | peak RSS MiB | speed-up (peer s / ours s) |';
  const rule = '| --- | --- | --- | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: |';
  const lines = rows.map((r) => {
    const alone = r.uploadOnlySpeedup !== undefined ? ` (upload alone ${r.oursUploadSeconds.toFixed(2)} s: ${r.uploadOnlySpeedup.toFixed(2)}x)` : '';
    const readBack = r.oursReadBackSeconds !== undefined ? ` (read-back ${r.oursReadBackSeconds.toFixed(2)} s, ${Math.round(r.readBackShare * 100)} % of ours; without it ${r.withoutReadBackSpeedup.toFixed(2)}x)` : '';
    const speed = r.speedup === undefined ? 'n/a' : `${r.speedup.toFixed(2)}x${alone}${readBack}`;
    return `| ${r.size} | ${r.step} | ${r.ours} | ${fmt(r.oursSeconds, 6, 2)} | ${fmt(r.oursMiBps, 6, 1)} | ${fmt(r.oursCpuSeconds, 5, 2)} | ${fmt(r.oursRssMiB, 5, 1)} | ${r.peer} | ${fmt(r.peerSeconds, 6, 2)} | ${fmt(r.peerMiBps, 6, 1)} | ${fmt(r.peerCpuSeconds, 5, 2)} | ${fmt(r.peerRssMiB, 5, 1)} | ${speed} |`;
  });
  return [head, rule, ...lines].join('\n');
}

/** Cold start and bundle size table. */
export function coldTable(cold, floor) {
  const cpu = (c) => (c.cpuMedianMs === undefined ? 'n/a' : `${c.cpuMedianMs} ms`);
  const lines = Object.entries(cold).map(([name, c]) => `| ${name} | ${(c.bytes / 1024).toFixed(0)} KiB | ${c.medianMs} ms | ${c.bestMs} ms | ${cpu(c)} |`);
  return ['| entrypoint | bundle | `--help` wall median | wall best | CPU median |', '| --- | ---: | ---: | ---: | ---: |', ...lines, `| (node -e 0) | | ${floor.medianMs} ms | ${floor.bestMs} ms | ${cpu(floor)} |`].join('\n');
}

/** Progress lines our processes logged in their best run, and the longest silence between two log lines. */
export function progressTable(rows) {
  const seen = new Set();
  const lines = [];
  for (const r of rows) {
    const key = `${r.size} ${r.ours}`;
    if (seen.has(key) || r.progressLines === undefined || r.step === 'whole backup') continue;
    seen.add(key);
    lines.push(`| ${r.size} | ${r.ours} | ${r.progressLines} | ${r.maxLogGapSeconds} s | ${r.maxLogGapAt ?? ''} |`);
  }
  return ['| size | ours | progress lines | longest gap between log lines | between |', '| --- | --- | ---: | ---: | --- |', ...lines].join('\n');
}
