import { resolve } from 'node:path';
import { checkAll, MANIFESTS_DIR } from '../check-all';

/**
 * Runs every offline manifest check and prints the problems:
 *   npm run check -w @vault-raft-backup/manifests [-- <manifests folder>]
 * Exit code 0 when all pass, 1 otherwise.
 */
const dir = process.argv[2] ? resolve(process.argv[2]) : resolve(MANIFESTS_DIR);
const { checked, problems } = checkAll(dir);
for (const c of checked) process.stdout.write(`checked ${c}\n`);
for (const p of problems) process.stdout.write(`problem: ${p}\n`);
process.stdout.write(problems.length === 0 ? 'all manifest checks passed\n' : `${problems.length} problem(s)\n`);
process.exitCode = problems.length === 0 ? 0 : 1;
