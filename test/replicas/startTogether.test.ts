import { databaseServiceFactory } from '@backstage/backend-defaults/database';
import { schedulerServiceFactory } from '@backstage/backend-defaults/scheduler';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import kubeTroubleshootPlugin from '@kube-troubleshoot/backstage-plugin-backend';
import fs from 'node:fs';
import path from 'node:path';
import knexFactory from 'knex';
import { repoRoot } from '../support/tools';
import { databaseClients } from '../support/databaseClients';
import { Postgres, startPostgres } from '../support/postgres';

/**
 * Replicas of the plugin starting in the same moment on a fresh PostgreSQL database, as a
 * Deployment's pods do on its first rollout: each creates the plugin's tables and the scheduler's,
 * and without the startup lock the loser of that race fails its start ("already exists").
 */
jest.setTimeout(120_000);

let pg: Postgres;

beforeAll(async () => {
  pg = await startPostgres('together');
});
afterAll(() => pg?.stop());

const clients = databaseClients();

function replica(prefix: string) {
  return startTestBackend({
    features: [
      kubeTroubleshootPlugin,
      clients.module,
      databaseServiceFactory,
      schedulerServiceFactory,
      catalogServiceMock.factory({ entities: [] }),
      mockServices.rootConfig.factory({
        data: {
          backend: { database: { client: 'pg', connection: { host: pg.host, port: pg.port, user: pg.user, password: 'unused' }, prefix } },
          kubeTroubleshoot: { clusters: [] },
        },
      }),
    ],
  });
}

it('starts three replicas at once on a fresh database, five times over: every one starts, the schema is there once', async () => {
  for (let round = 0; round < 5; round++) {
    const prefix = `together${round}_`;
    const started = await Promise.allSettled([replica(prefix), replica(prefix), replica(prefix)]);
    const failures = started.filter((s): s is PromiseRejectedResult => s.status === 'rejected').map(s => String(s.reason));
    for (const s of started) if (s.status === 'fulfilled') await s.value.stop();
    await clients.closeAll();
    expect(failures).toEqual([]);
    const db = knexFactory({ client: 'pg', connection: { host: pg.host, port: pg.port, user: pg.user, database: `${prefix}kube-troubleshoot` } });
    try {
      const migrations = await db('kt_knex_migrations').select('name');
      // Every migration the package ships, each applied once.
      const shipped = fs.readdirSync(path.join(repoRoot, 'plugins', 'kube-troubleshoot-backend', 'migrations')).filter(f => f.endsWith('.js')).sort();
      expect(shipped.length).toBeGreaterThanOrEqual(4);
      expect(migrations.map(m => m.name).sort()).toEqual(shipped);
      const tasks = await db('backstage_backend_tasks__tasks').select('id');
      expect(tasks.map(t => t.id).sort()).toEqual(['kube-troubleshoot-fork-reaper', 'kube-troubleshoot-lost-sessions', 'kube-troubleshoot-retention']);
    } finally {
      await db.destroy();
    }
  }
});
