import type { RuleGroup } from './rules';

const SEVERITIES = new Set(['critical', 'warning', 'info']);

/** GitHub's anchor of a Markdown heading: lower case, punctuation dropped, spaces as hyphens. */
export function headingAnchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** The anchors of every heading of a Markdown text. */
export function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  for (const line of markdown.split('\n')) {
    const m = /^#{1,6}\s+(.*)$/.exec(line);
    if (m?.[1]) anchors.add(headingAnchor(m[1]));
  }
  return anchors;
}

/**
 * What every alert must carry: a severity the routing knows, a summary, a description that says
 * what to check first, and a runbook_url whose section exists in the docs it points at
 * (`docs` maps a docs file name such as MONITORING.md to its text).
 */
export function checkAlertRules(groups: readonly RuleGroup[], docs: Record<string, string>, where: string): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const g of groups) {
    for (const r of g.rules) {
      const at = `${where} ${g.name}/${r.alert}`;
      if (seen.has(r.alert)) problems.push(`${at}: alert name used twice`);
      seen.add(r.alert);
      if (!SEVERITIES.has(r.labels?.severity)) problems.push(`${at}: labels.severity must be critical, warning or info`);
      const a = r.annotations ?? ({} as Partial<RuleGroup['rules'][number]['annotations']>);
      if (!a.summary) problems.push(`${at}: no summary annotation`);
      if (!a.description?.includes('Check first')) problems.push(`${at}: the description must say what to check first ("Check first: ...")`);
      problems.push(...checkRunbook(a.runbook_url, docs).map((p) => `${at}: ${p}`));
    }
  }
  return problems;
}

function checkRunbook(url: string | undefined, docs: Record<string, string>): string[] {
  const m = url ? /\/docs\/([A-Z]+\.md)#([\w-]+)$/.exec(url) : null;
  if (!m?.[1] || !m[2]) return [`runbook_url ${url ?? '(none)'} must point at a section of a docs/*.md file`];
  const text = docs[m[1]];
  if (text === undefined) return [`runbook_url points at docs/${m[1]}, which does not exist`];
  return anchorsOf(text).has(m[2]) ? [] : [`runbook_url points at #${m[2]}, which is no heading of docs/${m[1]}`];
}
