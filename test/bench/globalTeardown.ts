import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BENCH_TABLE_ENV, formatBenchTable, readBenchTable } from './benchTable';

export default async function globalTeardown() {
  const file = process.env[BENCH_TABLE_ENV];
  if (!file || !fs.existsSync(file)) return;
  const rows = readBenchTable(file);
  fs.rmSync(path.dirname(file), { recursive: true, force: true });
  const machine = `${os.cpus().length} × ${os.cpus()[0]?.model.trim() ?? 'unknown CPU'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.versions.node}`;
  process.stdout.write(`\nkube-troubleshoot bench, ${new Date().toISOString().slice(0, 10)}, ${machine}\n\n${formatBenchTable(rows)}\n\n`);
}
