import { readFile } from 'node:fs/promises';
import { describeError } from '../errors';
import { writeFileAtomic } from '../files/atomic-file';
import type { Logger } from '../log';
import { type MetricFamily, parseText, renderText, type Sample } from './exposition';

const sameGroup = (s: Sample, group: Record<string, string>) => Object.entries(group).every(([k, v]) => (s.labels[k] ?? '') === v);

/**
 * Merges a push into the families a text file already holds, the way a Pushgateway POST does:
 * in this group (samples carrying the group's labels), a pushed name replaces that name's samples;
 * other names, and other groups' samples (another step writing the same file), stay.
 */
export function mergeFamilies(existing: readonly MetricFamily[], pushed: readonly MetricFamily[], group: Record<string, string>): MetricFamily[] {
  const out = existing.map((f) => ({ ...f, samples: [...f.samples] }));
  for (const p of pushed) {
    const samples = p.samples.map((s) => ({ labels: { ...s.labels, ...group }, value: s.value }));
    const f = out.find((x) => x.name === p.name);
    if (f) {
      f.help = p.help;
      f.type = p.type;
      f.samples = [...f.samples.filter((s) => !sameGroup(s, group)), ...samples];
    } else {
      out.push({ ...p, samples });
    }
  }
  return out;
}

async function readFamilies(path: string, log: Logger): Promise<MetricFamily[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return [];
  }
  try {
    return parseText(text);
  } catch (err) {
    log.warn('the metrics text file could not be read back; it is rewritten with this run\'s metrics only', { file: path, error: describeError(err) });
    return [];
  }
}

/**
 * Writes the run's metrics to a node-exporter textfile-collector file: merged with what the file
 * holds (a failed run keeps the last success's values), written to a temp name and renamed, so the
 * collector never reads half a file (its temp name does not end in .prom either). Never throws.
 * Returns true when written.
 */
export async function writeMetricsTextfile(path: string, pushed: readonly MetricFamily[], group: Record<string, string>, log: Logger): Promise<boolean> {
  try {
    const merged = mergeFamilies(await readFamilies(path, log), pushed, group);
    await writeFileAtomic(path, renderText(merged), 0o644);
    log.info('metrics written', { file: path });
    return true;
  } catch (err) {
    log.warn('metrics text file not written; the outcome of the run is unchanged', { file: path, error: describeError(err) });
    return false;
  }
}
