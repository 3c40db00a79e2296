import { FORK_ENTITY_ANNOTATION, FORK_OF_LABEL } from '../debug/forkPod';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError, NotFoundError } from '@backstage/errors';
import { ClusterError, OwnerSummary } from '@kube-troubleshoot/backstage-plugin-common';
import { ClusterRegistry } from '../clusters/ClusterRegistry';
import { KubeApiError } from '../clusters/KubeApiError';
import { KubeClient } from '../clusters/KubeClient';
import { allContainers, ListJson, ObjectMeta, PodJson } from '../clusters/kubeTypes';
import { entityTarget, EntityTarget } from './entityTarget';

/** A pod proven to be the entity's, with the client of its cluster. */
export interface EntityPod {
  client: KubeClient;
  pod: PodJson;
}

export function clusterError(client: KubeClient, e: unknown): ClusterError {
  const err = e as KubeApiError;
  return { cluster: client.name, message: err.message ?? String(e), statusCode: err.statusCode };
}

const OWNER_PATHS: Record<string, string> = {
  ReplicaSet: '/apis/apps/v1/namespaces/{ns}/replicasets/{name}',
  Job: '/apis/batch/v1/namespaces/{ns}/jobs/{name}',
};

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
    return this.registry.all().map(c => ({ name: c.name, production: this.registry.config(c.name).production }));
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
          const list = await client.getJson<ListJson<PodJson>>(podsPath(target), { labelSelector: target.labelSelector }, signal);
          for (const pod of list.items) pods.push({ client, pod });
        } catch (e) {
          clusterErrors.push(clusterError(client, e));
        }
      }),
    );
    pods.sort((a, b) => `${a.client.name}/${a.pod.metadata.name}`.localeCompare(`${b.client.name}/${b.pod.metadata.name}`));
    return { pods, clusterErrors };
  }

  /** The named pod if, and only if, it is one of the entity's; otherwise 404 whatever the cluster holds. */
  async findPod(entity: Entity, clusterName: string | undefined, podName: string, signal?: AbortSignal): Promise<EntityPod> {
    const target = entityTarget(entity);
    const clients = clusterName ? [this.registry.get(clusterName)] : this.registry.all();
    if (!clusterName && clients.length > 1) throw new InputError('cluster is required when more than one cluster is configured');
    const client = clients[0];
    if (!client) throw new NotFoundError('no cluster is configured');
    const list = await client.getJson<ListJson<PodJson>>(
      podsPath(target),
      { labelSelector: target.labelSelector, fieldSelector: `metadata.name=${podName}` },
      signal,
    );
    const pod = list.items[0];
    if (!pod) {
      throw new NotFoundError(`pod "${podName}" is not one of ${stringifyEntityRef(entity)}'s pods on cluster "${client.name}"`);
    }
    return { client, pod };
  }

  /**
   * The entity's pod copies (Debug tab forks) in all clusters: they carry no labels of the entity,
   * only the fork label and the entity in an annotation.
   */
  async listForks(entity: Entity, onlyCluster?: string): Promise<EntityPod[]> {
    const target = entityTarget(entity);
    const ref = stringifyEntityRef(entity);
    const clients = onlyCluster ? [this.registry.get(onlyCluster)] : this.registry.all();
    const found: EntityPod[] = [];
    await Promise.all(
      clients.map(async client => {
        const list = await client.getJson<ListJson<PodJson>>(podsPath(target), { labelSelector: FORK_OF_LABEL });
        for (const pod of list.items) if (pod.metadata.annotations?.[FORK_ENTITY_ANNOTATION] === ref) found.push({ client, pod });
      }),
    );
    return found;
  }

  /** A pod of the entity, or one of its forks (a shell in a fork is how a crash is inspected). */
  async findPodOrFork(entity: Entity, clusterName: string | undefined, podName: string): Promise<EntityPod & { fork: boolean }> {
    try {
      return { ...(await this.findPod(entity, clusterName, podName)), fork: false };
    } catch (e) {
      if (!(e instanceof NotFoundError)) throw e;
      const fork = (await this.listForks(entity, clusterName)).find(f => f.pod.metadata.name === podName);
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
  async ownerChain(client: KubeClient, meta: ObjectMeta, cache: Map<string, ObjectMeta | null>, signal?: AbortSignal): Promise<OwnerSummary[]> {
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
