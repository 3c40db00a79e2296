import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError, NotFoundError } from '@backstage/errors';
import { ClusterError, OwnerSummary } from '@kube-troubleshoot/backstage-plugin-common';
import { ClusterRegistry } from '../clusters/ClusterRegistry';
import { KubeApiError } from '../clusters/KubeApiError';
import { KubeApi } from '../clusters/KubeClient';
import { allContainers, ListJson, ObjectMeta, PodJson } from '../clusters/kubeTypes';
import { entityTarget, EntityTarget } from './entityTarget';
import { FORK_ENTITY_ANNOTATION, FORK_OF_LABEL, FORK_USER_ANNOTATION } from './forkMarks';

/** Where a request says a pod is: cluster (required with several), name, and optionally namespace. */
export interface PodLocation {
  cluster?: string;
  pod: string;
  namespace?: string;
}

/** A pod proven to be the entity's, with the client of its cluster. */
export interface EntityPod {
  client: KubeApi;
  pod: PodJson;
}

export function clusterError(client: KubeApi, e: unknown): ClusterError {
  const err = e as KubeApiError;
  return { cluster: client.name, message: err.message ?? String(e), statusCode: err.statusCode };
}

const OWNER_PATHS: Record<string, string> = {
  ReplicaSet: '/apis/apps/v1/namespaces/{ns}/replicasets/{name}',
  Job: '/apis/batch/v1/namespaces/{ns}/jobs/{name}',
};

/**
 * The entity's selector, never matching a pod copy: a copy carries only the fork-of label, which a
 * purely negative selector (`tier!=db`) would match, and copies belong to their owner alone.
 */
function entityPodSelector(target: EntityTarget) {
  return `${target.labelSelector},!${FORK_OF_LABEL}`;
}

function podsPath(target: EntityTarget) {
  return target.namespace ? `/api/v1/namespaces/${encodeURIComponent(target.namespace)}/pods` : '/api/v1/pods';
}

/**
 * Maps an entity to its pods in every configured cluster, and proves that a pod named in a
 * request is one of them: nothing from the browser is trusted.
 */
export class TargetResolver {
  constructor(private readonly registry: ClusterRegistry) {}

  /** The configured clusters: name and whether each is marked production. */
  clusters(): Array<{ name: string; production: boolean }> {
    return this.registry.names().map(name => ({ name, production: this.registry.config(name).production }));
  }

  /** The client of a configured cluster (a target already proven, e.g. a session's). */
  client(cluster: string): KubeApi {
    return this.registry.get(cluster);
  }

  isProduction(cluster: string): boolean {
    return this.registry.config(cluster).production;
  }

  /** The entity's pods in all clusters (or one); clusters that fail are reported, not fatal. */
  async listPods(entity: Entity, onlyCluster?: string, signal?: AbortSignal) {
    const target = entityTarget(entity);
    const clients = onlyCluster ? [this.registry.get(onlyCluster)] : this.registry.all();
    const pods: EntityPod[] = [];
    const clusterErrors: ClusterError[] = [];
    await Promise.all(
      clients.map(async client => {
        try {
          const list = await client.getJson<ListJson<PodJson>>(podsPath(target), { labelSelector: entityPodSelector(target) }, signal);
          for (const pod of list.items) pods.push({ client, pod });
        } catch (e) {
          clusterErrors.push(clusterError(client, e));
        }
      }),
    );
    pods.sort((a, b) => `${a.client.name}/${a.pod.metadata.name}`.localeCompare(`${b.client.name}/${b.pod.metadata.name}`));
    return { pods, clusterErrors };
  }

  /** The configured cluster names (what a request's `cluster` may be). */
  clusterNames(): string[] {
    return this.registry.names();
  }

  /**
   * The named pod if, and only if, it is one of the entity's (and in `namespace` when given);
   * otherwise 404 whatever the cluster holds. The name was validated at the edge.
   */
  async findPod(entity: Entity, where: PodLocation, signal?: AbortSignal): Promise<EntityPod> {
    const target = entityTarget(entity);
    const client = this.clientFor(where.cluster);
    const list = await client.getJson<ListJson<PodJson>>(
      podsPath(target),
      { labelSelector: entityPodSelector(target), fieldSelector: `metadata.name=${where.pod}` },
      signal,
    );
    const pod = list.items.find(p => p.metadata.name === where.pod && (!where.namespace || p.metadata.namespace === where.namespace));
    if (!pod) {
      throw new NotFoundError(`pod "${where.pod}" is not one of ${stringifyEntityRef(entity)}'s pods on cluster "${client.name}"${where.namespace ? ` in namespace "${where.namespace}"` : ''}`);
    }
    return { client, pod };
  }

  private clientFor(cluster: string | undefined): KubeApi {
    if (cluster) return this.registry.get(cluster);
    const clients = this.registry.all();
    if (clients.length > 1) throw new InputError('cluster is required when more than one cluster is configured');
    if (!clients[0]) throw new NotFoundError('no cluster is configured');
    return clients[0];
  }

  /**
   * The entity's pod copies (Debug tab forks) in all clusters (or one): they carry no labels of the
   * entity, only the fork label and the entity in an annotation. With `owner`, only that user's.
   */
  async listForks(entity: Entity, filter: { cluster?: string; owner?: string } = {}, signal?: AbortSignal): Promise<EntityPod[]> {
    const target = entityTarget(entity);
    const ref = stringifyEntityRef(entity);
    const clients = filter.cluster ? [this.registry.get(filter.cluster)] : this.registry.all();
    const found: EntityPod[] = [];
    await Promise.all(
      clients.map(async client => {
        const list = await client.getJson<ListJson<PodJson>>(podsPath(target), { labelSelector: FORK_OF_LABEL }, signal);
        for (const pod of list.items) {
          const a = pod.metadata.annotations ?? {};
          if (a[FORK_ENTITY_ANNOTATION] !== ref) continue;
          if (filter.owner && a[FORK_USER_ANNOTATION] !== filter.owner) continue;
          found.push({ client, pod });
        }
      }),
    );
    return found.sort((a, b) => `${a.client.name}/${a.pod.metadata.name}`.localeCompare(`${b.client.name}/${b.pod.metadata.name}`));
  }

  /**
   * A pod of the entity, or one of the caller's own copies of them (a shell in a copy is how a
   * crash is inspected); another user's copy is "not found", as any pod that is not the entity's.
   */
  async findPodOrOwnFork(entity: Entity, where: PodLocation, userRef: string, signal?: AbortSignal): Promise<EntityPod & { fork: boolean }> {
    try {
      return { ...(await this.findPod(entity, where, signal)), fork: false };
    } catch (e) {
      if (!(e instanceof NotFoundError)) throw e;
      const fork = (await this.listForks(entity, { cluster: where.cluster, owner: userRef }, signal)).find(
        f => f.pod.metadata.name === where.pod && (!where.namespace || f.pod.metadata.namespace === where.namespace),
      );
      if (!fork) throw e;
      return { ...fork, fork: true };
    }
  }

  /** Checks a container name against the pod, with Kubernetes' own message. */
  static checkContainer(pod: PodJson, container: string) {
    if (!allContainers(pod).some(c => c.name === container)) {
      throw new InputError(`container ${container} is not valid for pod ${pod.metadata.name}`);
    }
  }

  /** Owners of a pod, nearest first: ReplicaSet then Deployment, Job then CronJob, or the direct owner. */
  async ownerChain(client: KubeApi, meta: ObjectMeta, cache: Map<string, ObjectMeta | null>, signal?: AbortSignal): Promise<OwnerSummary[]> {
    const chain: OwnerSummary[] = [];
    let current: ObjectMeta | null | undefined = meta;
    for (let depth = 0; current && depth < 3; depth++) {
      const owner = current.ownerReferences?.find(o => o.controller) ?? current.ownerReferences?.[0];
      if (!owner) break;
      chain.push({ kind: owner.kind, name: owner.name });
      const path = OWNER_PATHS[owner.kind];
      if (!path) break;
      const key = `${client.name}/${owner.kind}/${current.namespace}/${owner.name}`;
      if (!cache.has(key)) {
        try {
          const obj = await client.getJson<{ metadata: ObjectMeta }>(
            path.replace('{ns}', encodeURIComponent(current.namespace ?? 'default')).replace('{name}', encodeURIComponent(owner.name)),
            {},
            signal,
          );
          cache.set(key, obj.metadata);
        } catch {
          cache.set(key, null); // the owner is gone or not readable: the chain stops here
        }
      }
      current = cache.get(key);
    }
    return chain;
  }
}
