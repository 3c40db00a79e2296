import { Entity } from '@backstage/catalog-model';
import { EntityDiagnosisResponse } from '@kube-troubleshoot/backstage-plugin-common';
import { KubeApi } from '../clusters/KubeClient';
import { ListJson, ObjectMeta, PodJson } from '../clusters/kubeTypes';
import { TargetResolver } from '../targets/TargetResolver';
import { DiagnosisEvidence, diagnosePod, ServiceInfo } from './diagnosePod';
import { EntityEvents } from './EntityEvents';
import { NodeInfo } from './evidence/scheduling';
import { findUnreachableDependency, serviceOfHost } from './evidence/unreachableDependency';

/** The last lines of a container's previous run (the logs module reads them). */
export type PreviousLogTail = (client: KubeApi, namespace: string, pod: string, container: string) => Promise<string[]>;

/** The memory samples of each container of a pod, by container name. */
export type MemoryHistory = (cluster: string, namespace: string, pod: string, containers: string[]) => DiagnosisEvidence['memoryHistory'];

interface ServiceJson {
  metadata: ObjectMeta;
  spec?: { ports?: Array<{ port: number; name?: string; protocol?: string }> };
}

interface NodeJson {
  metadata: ObjectMeta;
  spec?: { taints?: NodeInfo['taints'] };
}

/**
 * Diagnoses each pod of an entity from its status and events, with what else the backend can look
 * up: the previous run's last log lines (for callers who may read logs), the Services a crashed
 * container's log names, the nodes of a pod that fits none, and the memory peaks seen.
 * Evidence the backend may not read is left out, never fatal.
 */
export class EntityDiagnosis {
  constructor(
    private readonly deps: { targets: TargetResolver; events: EntityEvents; previousLogTail: PreviousLogTail; memoryHistory?: MemoryHistory },
  ) {}

  async diagnose(entity: Entity, opts: { readsLogs: boolean }, signal?: AbortSignal): Promise<EntityDiagnosisResponse> {
    const [{ pods, clusterErrors }, eventList] = await Promise.all([this.deps.targets.listPods(entity, undefined, signal), this.deps.events.list(entity, signal)]);
    const lookups = new Map<string, Promise<unknown>>();
    const once = <T>(key: string, load: () => Promise<T>): Promise<T> => {
      if (!lookups.has(key)) lookups.set(key, load());
      return lookups.get(key) as Promise<T>;
    };
    const diagnoses = await Promise.all(
      pods.map(async ({ client, pod }) => {
        const namespace = pod.metadata.namespace ?? 'default';
        const events = eventList.events.filter(e => e.cluster === client.name && e.object.kind === 'Pod' && e.object.name === pod.metadata.name);
        const previousLogTail = opts.readsLogs ? await this.tails(client, pod) : undefined;
        const evidence: DiagnosisEvidence = {
          memoryHistory: this.deps.memoryHistory?.(client.name, namespace, pod.metadata.name, pod.spec.containers.map(c => c.name)),
        };
        const serviceNamespaces = new Set(
          Object.values(previousLogTail ?? {})
            .map(lines => findUnreachableDependency(lines))
            .flatMap(d => (d ? [serviceOfHost(d.host, namespace)?.namespace] : []))
            .filter((ns): ns is string => !!ns),
        );
        if (serviceNamespaces.size) {
          evidence.services = {};
          for (const ns of serviceNamespaces) evidence.services[ns] = await once(`${client.name}/services/${ns}`, () => services(client, ns, signal));
        }
        if (pod.status?.conditions?.some(c => c.type === 'PodScheduled' && c.status === 'False')) {
          evidence.nodes = await once(`${client.name}/nodes`, () => nodes(client, signal));
        }
        return diagnosePod({ cluster: client.name, pod, events, previousLogTail, evidence });
      }),
    );
    return { pods: diagnoses, clusterErrors: [...clusterErrors, ...eventList.clusterErrors] };
  }

  /** The previous run of every container that restarted: running again or not, its crash is the story. */
  private async tails(client: KubeApi, pod: PodJson): Promise<Record<string, string[]>> {
    const out: Record<string, string[]> = {};
    for (const s of pod.status?.containerStatuses ?? []) {
      if (s.restartCount > 0) out[s.name] = await this.deps.previousLogTail(client, pod.metadata.namespace ?? 'default', pod.metadata.name, s.name);
    }
    return out;
  }
}

async function services(client: KubeApi, namespace: string, signal?: AbortSignal): Promise<ServiceInfo[] | undefined> {
  try {
    const list = await client.getJson<ListJson<ServiceJson>>(`/api/v1/namespaces/${encodeURIComponent(namespace)}/services`, {}, signal);
    return list.items.map(s => ({ name: s.metadata.name, namespace, ports: s.spec?.ports ?? [] }));
  } catch {
    return undefined; // no permission to list Services, or none served: the diagnosis says it could not check
  }
}

async function nodes(client: KubeApi, signal?: AbortSignal): Promise<NodeInfo[] | undefined> {
  try {
    const list = await client.getJson<ListJson<NodeJson>>('/api/v1/nodes', {}, signal);
    return list.items.map(n => ({ name: n.metadata.name, labels: n.metadata.labels ?? {}, taints: n.spec?.taints ?? [] }));
  } catch {
    return undefined;
  }
}
