import fs from 'node:fs';
import { resolvePackagePath } from '@backstage/backend-plugin-api';
import knexFactory, { Knex } from 'knex';

/**
 * The plugin's stores on a real database (in-memory SQLite, the example portal's default) with the
 * real migrations: all of them, or those up to `until` (a migration's file name) to test the next.
 */
export async function migratedDb(options: { until?: string } = {}): Promise<Knex> {
  const directory = resolvePackagePath('@kube-troubleshoot/backstage-plugin-backend', 'migrations');
  const db = knexFactory({ client: 'better-sqlite3', connection: ':memory:', useNullAsDefault: true, migrations: { directory } });
  if (!options.until) {
    await db.migrate.latest();
    return db;
  }
  const names = fs.readdirSync(directory).filter(f => f.endsWith('.js')).sort();
  if (!names.includes(options.until)) throw new Error(`no migration named ${options.until}`);
  for (const name of names.filter(n => n <= options.until!)) await db.migrate.up({ name });
  return db;
}
