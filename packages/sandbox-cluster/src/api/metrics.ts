import { Cluster } from '../Cluster';
import { kubeTime } from '../kubelet/clock';
import { Usage } from '../kubelet/resourceUsage';
import { cpuQuantity, memoryQuantity } from './quantity';
import { ContainerStatus, Pod } from '../store/pod';
import { KubeObject } from '../store/types';

/**
 * metrics.k8s.io/v1beta1 as metrics-server serves it (KUBERNETES.md, section 3): PodMetrics
 * and NodeMetrics, get and list only, built on each request from the last two samples of the
 * sandbox's ResourceSampler. A pod is served only once every container of it has a usage.
 */
export const METRICS_GROUP = 'metrics.k8s.io';
export const METRICS_VERSION = 'v1beta1';
const apiVersion = `${METRICS_GROUP}/${METRICS_VERSION}`;

/** A Go duration as metav1.Duration marshals it (`15.012s`, `1m0.5s`). */
export function goDuration(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  const seconds = (ms % 60_000) / 1000;
  const s = `${Number(seconds.toFixed(3))}s`;
  return minutes ? `${minutes}m${s}` : s;
}

const usageOf = (u: Usage) => ({ cpu: cpuQuantity(u.cpuNanoCores), memory: memoryQuantity(u.memoryBytes) });

/** The PodMetrics of a pod, or undefined while any of its running containers has no usage yet. */
export function podMetrics(cluster: Cluster, pod: Pod): KubeObject | undefined {
  // The containers running now (regular and ephemeral), as metrics-server sees the kubelet's.
  const statuses = [...(pod.status?.containerStatuses ?? []), ...((pod.status?.ephemeralContainerStatuses as ContainerStatus[] | undefined) ?? [])];
  const running = statuses.filter(s => 'running' in s.state).map(s => s.name);
  if (!running.length) return undefined;
  const usages = running.map(name => ({ name, usage: cluster.usage.container(`${pod.metadata.uid}/${name}`) }));
  if (usages.some(u => !u.usage)) return undefined;
  const timestampMs = Math.min(...usages.map(u => u.usage!.timestampMs));
  const windowMs = Math.max(...usages.map(u => u.usage!.windowMs));
  return {
    kind: 'PodMetrics',
    apiVersion,
    metadata: { name: pod.metadata.name, namespace: pod.metadata.namespace, creationTimestamp: kubeTime(), labels: pod.metadata.labels ?? {} },
    timestamp: kubeTime(new Date(timestampMs)),
    window: goDuration(windowMs),
    containers: usages.map(u => ({ name: u.name, usage: usageOf(u.usage!) })),
  };
}

/** The NodeMetrics of the sandbox's one node. */
export function nodeMetrics(cluster: Cluster, node: KubeObject): KubeObject | undefined {
  const usage = cluster.usage.nodeUsage();
  if (!usage) return undefined;
  return {
    kind: 'NodeMetrics',
    apiVersion,
    metadata: { name: node.metadata.name, creationTimestamp: kubeTime(), labels: node.metadata.labels ?? {} },
    timestamp: kubeTime(new Date(usage.timestampMs)),
    window: goDuration(usage.windowMs),
    usage: usageOf(usage),
  };
}
