import { BENCH_TABLE_ENV, newBenchTable } from './benchTable';

export default async function globalSetup() {
  process.env[BENCH_TABLE_ENV] = newBenchTable();
}
