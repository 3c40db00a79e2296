import { NotFoundError } from '@backstage/errors';
import { KubeApi, KubeClient } from './KubeClient';
import { ClusterConfig } from './readClusterConfig';

/** The configured clusters by name. */
export class ClusterRegistry {
  private readonly clients: Map<string, { config: ClusterConfig; client: KubeApi }>;

  constructor(configs: ClusterConfig[], makeClient: (c: ClusterConfig) => KubeApi = KubeClient.fromConfig) {
    this.clients = new Map(configs.map(c => [c.name, { config: c, client: makeClient(c) }]));
  }

  /** The configured names, in config order (what a request's `cluster` may be). */
  names(): string[] {
    return [...this.clients.keys()];
  }

  all(): KubeApi[] {
    return [...this.clients.values()].map(c => c.client);
  }

  get(name: string): KubeApi {
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
