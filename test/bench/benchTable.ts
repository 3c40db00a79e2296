import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * One table for the whole `npm run bench`: each bench file adds its rows to a file named by the
 * run (Jest runs bench files in separate module registries), and the global teardown prints them
 * once, in the order they were measured.
 */
export interface BenchRow {
  figure: string;
  value: string;
  /** The same figure measured directly against the sandbox (or kubectl) in the same run. */
  direct: string;
  ratio: string;
  goal: string;
  /** Whether the value meets the goal (undefined: no goal). */
  met?: boolean;
}

export const BENCH_TABLE_ENV = 'KT_BENCH_TABLE';

export function addBenchRow(row: BenchRow) {
  const file = process.env[BENCH_TABLE_ENV];
  if (!file) return; // run outside `npm run bench` (a single file by hand): the file's own output says it
  fs.appendFileSync(file, `${JSON.stringify(row)}\n`);
}

export function newBenchTable(): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'kube-troubleshoot-bench-')), 'rows.ndjson');
  fs.writeFileSync(file, '');
  return file;
}

/** The rows as a Markdown table (the README shows the last run's). */
export function formatBenchTable(rows: BenchRow[]): string {
  const header: BenchRow = { figure: 'figure', value: 'value', direct: 'direct', ratio: 'ratio', goal: 'goal' };
  const cells = (r: BenchRow) => [r.figure, r.value, r.direct, r.ratio, r.met === undefined ? r.goal : `${r.goal} ${r.met ? '✓' : '✗'}`];
  const lines = [cells(header), ['---', '---', '---', '---', '---'], ...rows.map(cells)];
  return lines.map(l => `| ${l.join(' | ')} |`).join('\n');
}

export function readBenchTable(file: string): BenchRow[] {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map(l => JSON.parse(l) as BenchRow);
}
