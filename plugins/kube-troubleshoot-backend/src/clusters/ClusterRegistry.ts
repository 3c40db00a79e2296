import { NotFoundError } from '@backstage/errors';
import { KubeClient } from './KubeClient';
import { ClusterConfig } from './readClusterConfig';

/** The configured clusters by name. */
export class ClusterRegistry {
  private readonly clients: Map<string, { config: ClusterConfig; client: KubeClient }>;

  constructor(configs: ClusterConfig[], makeClient: (c: ClusterConfig) => KubeClient = KubeClient.fromConfig) {
    this.clients = new Map(configs.map(c => [c.name, { config: c, client: makeClient(c) }]));
  }

  all(): KubeClient[] {
    return [...this.clients.values()].map(c => c.client);
  }

  get(name: string): KubeClient {
    const entry = this.clients.get(name);
    if (!entry) throw new NotFoundError(`no cluster named "${name}" is configured`);
    return entry.client;
  }

  config(name: string): ClusterConfig {
    const entry = this.clients.get(name);
    if (!entry) throw new NotFoundError(`no cluster named "${name}" is configured`);
    return entry.config;
  }
}
