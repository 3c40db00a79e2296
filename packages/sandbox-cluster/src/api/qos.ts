import { ContainerSpec, Pod } from '../store/pod';
import { parseQuantity } from './quantity';

const QOS_RESOURCES = ['cpu', 'memory'];

/**
 * A pod's QoS class as `GetPodQOS` (pkg/apis/core/helper/qos) decides it from CPU and memory of its
 * containers and init containers: none asked for anything → BestEffort; every container limits
 * both and asks for what it limits → Guaranteed; anything between → Burstable.
 */
export function podQosClass(pod: Pod): 'BestEffort' | 'Burstable' | 'Guaranteed' {
  const requests = new Map<string, number>();
  const limits = new Map<string, number>();
  let guaranteed = true;
  const add = (sums: Map<string, number>, list: Record<string, string | number> | undefined) => {
    const found = new Set<string>();
    for (const [name, q] of Object.entries(list ?? {})) {
      if (!QOS_RESOURCES.includes(name)) continue;
      const v = parseQuantity(q);
      if (v <= 0) continue;
      found.add(name);
      sums.set(name, (sums.get(name) ?? 0) + v);
    }
    return found;
  };
  for (const c of [...(pod.spec.initContainers ?? []), ...pod.spec.containers] as ContainerSpec[]) {
    add(requests, c.resources?.requests);
    if (add(limits, c.resources?.limits).size !== QOS_RESOURCES.length) guaranteed = false;
  }
  if (!requests.size && !limits.size) return 'BestEffort';
  if (guaranteed && [...limits].every(([name, v]) => requests.get(name) === v) && requests.size === limits.size) return 'Guaranteed';
  return 'Burstable';
}
