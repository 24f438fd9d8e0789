// Aggregates iterations (best time, highest peak RSS) and prints the table.
export const MIB = 1024 * 1024;

export function best(sides) {
  const present = sides.filter(Boolean);
  if (present.length === 0) return undefined;
  const fastest = present.reduce((a, b) => (b.seconds < a.seconds ? b : a));
  return { ...fastest, seconds: fastest.seconds, rssKiB: Math.max(...present.map((s) => s.rssKiB ?? 0)), runs: present.map((s) => round(s.seconds, 2)) };
}

export const round = (n, d = 1) => (Number.isFinite(n) ? Math.round(n * 10 ** d) / 10 ** d : undefined);

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

/** Rows of one size from its iterations: each step's best run of ours (per Node) and of the peer. Steps not run have no row. */
export function rowsOf(sizeLabel, bytes, iterations, nodes) {
  const pick = (f) => iterations.map(f).filter(Boolean);
  const row = (node, step, oursName, peerName, ours, peer, extra = {}) => {
    const o = best(ours);
    const p = best(peer);
    return {
      size: sizeLabel,
      bytes,
      node,
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
  const has = (f) => iterations.some((it) => f(it) !== undefined);
  const rows = [];
  for (const { label: n } of nodes) {
    if (has((it) => it.snapshot.ours)) rows.push(row(n, 'snapshot download + verify', 'snapshot-taker', 'curl -o', pick((it) => it.snapshot.ours?.[n]), pick((it) => it.snapshot.peer)));
    if (has((it) => it.upload.ours)) {
      const ours = pick((it) => it.upload.ours?.[n]);
      const peer = pick((it) => it.upload.peer);
      rows.push(row(n, 'upload (+ verify + latest)', 's3-uploader', 'aws s3 cp x2', ours, peer, readBackOf(ours, peer)));
    }
    if (has((it) => it.fetch.ours)) {
      rows.push(row(n, 'download for restore', 'restore-fetcher', 'aws s3 cp', pick((it) => it.fetch.ours?.[n]), pick((it) => it.fetch.peer)));
      rows.push(row(n, 'download for restore', 'restore-fetcher', 'curl --aws-sigv4', pick((it) => it.fetch.ours?.[n]), pick((it) => it.fetch.curl)));
    }
    if (has((it) => it.restore.ours)) {
      const restoreOurs = pick((it) => it.restore.ours?.[n]);
      const uploadOnly = Math.min(...restoreOurs.map((o) => o.uploadSeconds).filter(Number.isFinite));
      rows.push(
        row(n, 'restore upload', 'restore-runner (whole run)', iterations.at(-1).restore.peerHow, restoreOurs, pick((it) => it.restore.peer), {
          oursUploadSeconds: round(uploadOnly, 2),
          uploadOnlySpeedup: round(best(pick((it) => it.restore.peer)).seconds / uploadOnly, 2),
        }),
      );
    }
    if (has((it) => it.snapshot.ours) && has((it) => it.upload.ours)) {
      const ours = pick((it) => sum(it.login.ours[n], it.snapshot.ours?.[n], it.upload.ours?.[n]));
      const peer = pick((it) => sum(it.login.peer, it.snapshot.peer, it.upload.peer));
      rows.push(row(n, 'whole backup', 'login + taker + uploader', 'curl login + curl -o + aws cp x2', ours, peer));
    }
  }
  return rows;
}

const fmt = (v, w, d) => (v === undefined ? 'n/a' : typeof v === 'number' && d !== undefined ? v.toFixed(d) : String(v)).padStart(w);

/** The results table as Markdown (also readable in a terminal). */
export function table(rows) {
  const head = '| size | Node | step | ours | s | MiB/s | CPU s | peak RSS MiB | peer | s | MiB/s | CPU s | peak RSS MiB | speed-up (peer s / ours s) |';
  const rule = '| --- | --- | --- | --- | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: |';
  const lines = rows.map((r) => {
    const alone = r.uploadOnlySpeedup !== undefined ? ` (upload alone ${r.oursUploadSeconds.toFixed(2)} s: ${r.uploadOnlySpeedup.toFixed(2)}x)` : '';
    const readBack = r.oursReadBackSeconds !== undefined ? ` (read-back ${r.oursReadBackSeconds.toFixed(2)} s, ${Math.round(r.readBackShare * 100)} % of ours; without it ${r.withoutReadBackSpeedup.toFixed(2)}x)` : '';
    const speed = r.speedup === undefined ? 'n/a' : `${r.speedup.toFixed(2)}x${alone}${readBack}`;
    return `| ${r.size} | ${r.node} | ${r.step} | ${r.ours} | ${fmt(r.oursSeconds, 6, 2)} | ${fmt(r.oursMiBps, 6, 1)} | ${fmt(r.oursCpuSeconds, 5, 2)} | ${fmt(r.oursRssMiB, 5, 1)} | ${r.peer} | ${fmt(r.peerSeconds, 6, 2)} | ${fmt(r.peerMiBps, 6, 1)} | ${fmt(r.peerCpuSeconds, 5, 2)} | ${fmt(r.peerRssMiB, 5, 1)} | ${speed} |`;
  });
  return [head, rule, ...lines].join('\n');
}

/** Progress lines our processes logged in their best run, and the longest silence between two log lines. */
export function progressTable(rows) {
  const seen = new Set();
  const lines = [];
  for (const r of rows) {
    const key = `${r.size} ${r.node} ${r.ours}`;
    if (seen.has(key) || r.progressLines === undefined || r.step === 'whole backup') continue;
    seen.add(key);
    lines.push(`| ${r.size} | ${r.node} | ${r.ours} | ${r.progressLines} | ${r.maxLogGapSeconds} s | ${r.maxLogGapAt ?? ''} |`);
  }
  return ['| size | Node | ours | progress lines | longest gap between log lines | between |', '| --- | --- | --- | ---: | ---: | --- |', ...lines].join('\n');
}
