#!/usr/bin/env node
// Runs the fault suite with jest --json and regenerates the tables and totals of docs/RELIABILITY.md.
// Usage: npm run reliability -w @vault-raft-backup/fault-suite [-- <extra jest args>]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const pkgDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const docPath = join(pkgDir, '..', '..', 'docs', 'RELIABILITY.md');
const BEGIN = '<!-- generated:begin (npm run reliability -w @vault-raft-backup/fault-suite) -->';
const END = '<!-- generated:end -->';
const AREAS = ['Vault', 'S3', 'Disk', 'Process', 'Bad input', 'Retention', 'Security'];

function runSuite(out) {
  const started = Date.now();
  const jest = spawnSync('npx', ['jest', '--json', `--outputFile=${join(out, 'jest.json')}`, ...process.argv.slice(2)], {
    cwd: pkgDir,
    env: { ...process.env, FAULT_SUITE_OUT: out },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  return { status: jest.status, seconds: Math.round((Date.now() - started) / 1000) };
}

function readLedger(out) {
  const file = join(out, 'ledger.jsonl');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

/** fullName -> { file, status } for every test jest ran. */
function readResults(out) {
  const report = JSON.parse(readFileSync(join(out, 'jest.json'), 'utf8'));
  const tests = new Map();
  const all = [];
  for (const file of report.testResults) {
    for (const a of file.assertionResults) {
      const t = { name: a.fullName, file: relative(pkgDir, file.name), status: a.status };
      tests.set(a.fullName, t);
      all.push(t);
    }
  }
  return { report, tests, all };
}

const cell = (text) => String(text).replace(/\|/g, '\\|').replace(/\n/g, ' ');
const mark = (status) => (status === 'passed' ? 'pass' : `**${status ?? 'not run'}**`);

function faultTables(ledger, tests) {
  const lines = [];
  for (const area of AREAS) {
    const rows = ledger.filter((e) => e.area === area).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    if (rows.length === 0) continue;
    lines.push(`### ${area}`, '', '| ID | Fault | How it is injected | Expected outcome | Proven by | Result | Faults | Runs |', '| --- | --- | --- | --- | --- | --- | ---: | ---: |');
    for (const e of rows) {
      const t = tests.get(e.test);
      const where = t ? `\`${t.file}\` › ${cell(e.test)}` : cell(e.test);
      lines.push(`| ${cell(e.id)} | ${cell(e.fault)} | ${cell(e.injection)} | ${cell(e.expected)} | ${where} | ${mark(t?.status ?? (e.passed ? 'passed' : 'failed'))} | ${e.injected} | ${e.runs} |`);
    }
    lines.push('');
  }
  return lines;
}

function checkTable(ledger, all) {
  const faultTests = new Set(ledger.map((e) => e.test));
  const lines = ['| Check | Proven by | Result |', '| --- | --- | --- |'];
  const rest = all.filter((t) => !faultTests.has(t.name)).sort((a, b) => (a.file + a.name < b.file + b.name ? -1 : 1));
  for (const t of rest) lines.push(`| ${cell(t.name)} | \`${t.file}\` | ${mark(t.status)} |`);
  return lines;
}

function generated(ledger, results, run) {
  const sum = (k) => ledger.reduce((n, e) => n + e[k], 0);
  const { report, tests } = results;
  const dataLost = sum('dataLost');
  return [
    BEGIN,
    '',
    '## Totals',
    '',
    '| | |',
    '| --- | ---: |',
    `| Fault cases | ${ledger.length} |`,
    `| Faults injected | ${sum('injected')} |`,
    `| Runs (bundle processes, plus in-process verb runs of the cut-offset property) | ${sum('runs')} |`,
    `| Checks that nothing was lost or half-written | ${sum('intactChecks')} |`,
    `| **Data lost** | **${dataLost}** |`,
    `| Tests passed / failed | ${report.numPassedTests} / ${report.numFailedTests} |`,
    `| Suite wall time on the machine that generated this page | ${run.seconds} s |`,
    '',
    `Generated ${new Date().toISOString().slice(0, 10)} by \`npm run reliability -w @vault-raft-backup/fault-suite\`; jest exit status ${run.status}.`,
    '',
    '## Faults',
    '',
    ...faultTables(ledger, tests),
    '## Other checks of the suite',
    '',
    ...checkTable(ledger, results.all),
    '',
    END,
  ].join('\n');
}

const out = mkdtempSync(join(tmpdir(), 'fault-suite-report-'));
try {
  const run = runSuite(out);
  const ledger = readLedger(out);
  const results = readResults(out);
  const doc = existsSync(docPath) ? readFileSync(docPath, 'utf8') : `# Reliability and security\n\n${BEGIN}\n${END}\n`;
  const start = doc.indexOf(BEGIN);
  const end = doc.indexOf(END);
  if (start < 0 || end < start) throw new Error(`${docPath} lacks the generated markers`);
  writeFileSync(docPath, `${doc.slice(0, start)}${generated(ledger, results, run)}${doc.slice(end + END.length)}`);
  const lost = ledger.reduce((n, e) => n + e.dataLost, 0);
  process.stdout.write(`\n${relative(process.cwd(), docPath)}: ${ledger.length} fault cases, ${ledger.reduce((n, e) => n + e.injected, 0)} faults injected, ${ledger.reduce((n, e) => n + e.runs, 0)} runs, data lost ${lost}\n`);
  process.exitCode = run.status === 0 && lost === 0 ? 0 : 1;
} finally {
  rmSync(out, { recursive: true, force: true });
}
