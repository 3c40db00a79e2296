import { resolvePackagePath } from '@backstage/backend-plugin-api';
import knexFactory, { Knex } from 'knex';

/** The plugin's stores on a real database (in-memory SQLite, the example portal's default) with the real migrations. */
export async function migratedDb(): Promise<Knex> {
  const db = knexFactory({ client: 'better-sqlite3', connection: ':memory:', useNullAsDefault: true });
  await db.migrate.latest({ directory: resolvePackagePath('@kube-troubleshoot/backstage-plugin-backend', 'migrations') });
  return db;
}
