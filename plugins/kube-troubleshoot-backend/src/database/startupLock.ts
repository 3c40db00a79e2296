import { Knex } from 'knex';

/** Any fixed 64-bit key: the plugin's own advisory lock in its database. */
const STARTUP_LOCK_KEY = 7_401_220_613;

/**
 * Runs `fn` while no other replica runs its own: replicas that start together on a fresh database
 * would otherwise race to create the same migration tables (knex checks, then creates), and the
 * loser fails its start with "relation ... already exists" — ours, and the scheduler's, which it
 * creates on the first scheduled task and never retries. PostgreSQL (the database for several
 * replicas) holds the lock for a transaction; SQLite serves one process, so there is nothing to race.
 */
export async function withStartupLock<T>(db: Knex, fn: () => Promise<T>): Promise<T> {
  const client = String(db.client.config.client ?? '');
  if (client === 'pg' || client === 'postgres' || client === 'postgresql') {
    return db.transaction(async tx => {
      await tx.raw('select pg_advisory_xact_lock(?)', [STARTUP_LOCK_KEY]);
      return fn();
    });
  }
  return fn();
}
