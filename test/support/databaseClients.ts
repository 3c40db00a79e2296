import { coreServices, createBackendModule } from '@backstage/backend-plugin-api';
import { Knex } from 'knex';

/**
 * The kube-troubleshoot plugin's database clients, closed by the test: a test backend does not close
 * them when it stops (Backstage leaves that to the process's exit), and their pools' timers would
 * keep Jest from ever exiting. Add `module` to the backend's features; `closeAll()` after `stop()`.
 */
export function databaseClients() {
  const clients: Knex[] = [];
  const module = createBackendModule({
    pluginId: 'kube-troubleshoot',
    moduleId: 'test-database-clients',
    register(env) {
      env.registerInit({ deps: { database: coreServices.database }, init: async ({ database }) => void clients.push(await database.getClient()) });
    },
  });
  return {
    module,
    async closeAll() {
      for (const c of clients.splice(0)) await c.destroy();
    },
  };
}
