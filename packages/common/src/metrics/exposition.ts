/**
 * The Prometheus text exposition format, version 0.0.4 (what the Pushgateway and node-exporter's
 * textfile collector read): `# HELP`, `# TYPE`, then one `name{label="value"} number` line per
 * sample, every line ending in LF. No timestamps: the Pushgateway refuses pushed ones.
 */

/** One sample: its labels and value. */
export interface Sample {
  labels: Record<string, string>;
  value: number;
}

/** All samples of one metric name. */
export interface MetricFamily {
  name: string;
  help: string;
  type: 'gauge' | 'counter' | 'untyped';
  samples: Sample[];
}

/** Content type of the text format for a push. */
export const TEXT_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Checks a metric name against Prometheus' rules. @throws Error for a name the format cannot carry */
export function checkMetricName(name: string): void {
  if (!METRIC_NAME.test(name)) throw new Error(`invalid metric name "${name}"`);
}

/** Checks a label name; names starting with `__` are reserved. @throws Error */
export function checkLabelName(name: string): void {
  if (!LABEL_NAME.test(name) || name.startsWith('__')) throw new Error(`invalid label name "${name}"`);
}

const escapeHelp = (s: string) => s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
const escapeLabelValue = (s: string) => s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');

/** A sample value as Go's ParseFloat reads it. */
export function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Number.POSITIVE_INFINITY) return '+Inf';
  if (v === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(v);
}

function renderLabels(labels: Record<string, string>): string {
  const pairs = Object.entries(labels);
  if (pairs.length === 0) return '';
  return `{${pairs.map(([k, v]) => `${k}="${escapeLabelValue(v)}"`).join(',')}}`;
}

/** Renders families as text format 0.0.4. @throws Error on an invalid metric or label name */
export function renderText(families: readonly MetricFamily[]): string {
  const lines: string[] = [];
  for (const f of families) {
    checkMetricName(f.name);
    lines.push(`# HELP ${f.name} ${escapeHelp(f.help)}`, `# TYPE ${f.name} ${f.type}`);
    for (const s of f.samples) {
      for (const k of Object.keys(s.labels)) checkLabelName(k);
      lines.push(`${f.name}${renderLabels(s.labels)} ${formatValue(s.value)}`);
    }
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

const unescapeText = (s: string) => s.replace(/\\(.)/g, (_m, c: string) => (c === 'n' ? '\n' : c));

function parseLabels(text: string, line: string): Record<string, string> {
  const labels: Record<string, string> = {};
  const pair = /\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*(,|$)/y;
  let at = 0;
  while (at < text.length) {
    pair.lastIndex = at;
    const m = pair.exec(text);
    if (!m?.[1]) throw new Error(`malformed labels in: ${line}`);
    labels[m[1]] = unescapeText(m[2] ?? '');
    at = pair.lastIndex;
  }
  return labels;
}

function parseValue(text: string, line: string): number {
  if (text === '+Inf') return Number.POSITIVE_INFINITY;
  if (text === '-Inf') return Number.NEGATIVE_INFINITY;
  if (text === 'NaN') return Number.NaN;
  const v = Number(text);
  if (text === '' || Number.isNaN(v)) throw new Error(`malformed value in: ${line}`);
  return v;
}

/**
 * Parses text format 0.0.4 as {@link renderText} writes it (also a Pushgateway's `/metrics`):
 * families in order of first appearance; samples without `# TYPE` are `untyped`.
 * Sample timestamps, if any, are dropped. @throws Error on a line it cannot read
 */
export function parseText(text: string): MetricFamily[] {
  const families = new Map<string, MetricFamily>();
  const family = (name: string) => {
    let f = families.get(name);
    if (!f) {
      f = { name, help: '', type: 'untyped', samples: [] };
      families.set(name, f);
    }
    return f;
  };
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const meta = /^#\s+(HELP|TYPE)\s+(\S+)(?:\s(.*))?$/.exec(line);
    if (meta?.[2]) {
      const f = family(meta[2]);
      if (meta[1] === 'HELP') f.help = unescapeText(meta[3] ?? '');
      else f.type = meta[3] === 'gauge' || meta[3] === 'counter' ? meta[3] : 'untyped';
      continue;
    }
    if (line.startsWith('#')) continue;
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+-?\d+)?\s*$/.exec(line);
    if (!sample?.[1] || sample[3] === undefined) throw new Error(`malformed sample line: ${line}`);
    family(sample[1]).samples.push({ labels: parseLabels(sample[2] ?? '', line), value: parseValue(sample[3], line) });
  }
  return [...families.values()];
}
