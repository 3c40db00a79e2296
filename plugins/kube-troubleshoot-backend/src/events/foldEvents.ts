import { KubeEvent } from '@kube-troubleshoot/backstage-plugin-common';
import { EventJson } from '../clusters/kubeTypes';

/** The objects whose events belong to an entity: its pods and their owners, per cluster. */
export interface InvolvedSet {
  has(cluster: string, namespace: string | undefined, kind: string | undefined, name: string | undefined): boolean;
}

export function involvedSet(objects: Array<{ cluster: string; namespace: string; kind: string; name: string }>): InvolvedSet {
  const keys = new Set(objects.map(o => `${o.cluster}/${o.namespace}/${o.kind}/${o.name}`));
  return { has: (cluster, namespace, kind, name) => keys.has(`${cluster}/${namespace}/${kind}/${name}`) };
}

/** Repeats of the same thing on the same object fold into one row. */
export function foldKey(cluster: string, e: EventJson): string {
  const io = e.involvedObject;
  return [cluster, e.metadata.namespace, io.kind, io.name, io.fieldPath ?? '', e.type, e.reason, e.message].join('\u0000');
}

function lastSeen(e: EventJson) {
  return e.series?.lastObservedTime ?? e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? e.metadata.creationTimestamp ?? undefined;
}

export function toKubeEvent(cluster: string, e: EventJson): KubeEvent {
  return {
    id: e.metadata.uid ?? `${cluster}/${e.metadata.namespace}/${e.metadata.name}`,
    cluster,
    namespace: e.metadata.namespace ?? 'default',
    type: e.type ?? 'Normal',
    reason: e.reason ?? '',
    message: (e.message ?? '').trim(),
    count: e.series?.count ?? e.count ?? 1,
    firstSeen: e.firstTimestamp ?? e.eventTime ?? e.metadata.creationTimestamp ?? undefined,
    lastSeen: lastSeen(e),
    object: { kind: e.involvedObject.kind ?? '', name: e.involvedObject.name ?? '', ...(e.involvedObject.fieldPath ? { fieldPath: e.involvedObject.fieldPath } : {}) },
    source: e.source?.component || e.reportingComponent || undefined,
  };
}

/** Merges the KubeEvents of one fold key: counts add up, first/last seen widen; id is the first's. */
export function mergeFolded(events: KubeEvent[]): KubeEvent {
  const sorted = [...events].sort((a, b) => a.id.localeCompare(b.id));
  const base = { ...sorted[0] };
  for (const e of sorted.slice(1)) {
    base.count += e.count;
    if (e.firstSeen && (!base.firstSeen || e.firstSeen < base.firstSeen)) base.firstSeen = e.firstSeen;
    if (e.lastSeen && (!base.lastSeen || e.lastSeen > base.lastSeen)) base.lastSeen = e.lastSeen;
  }
  return base;
}

/** Newest first, by last seen. */
export function newestFirst(a: KubeEvent, b: KubeEvent): number {
  return (b.lastSeen ?? '').localeCompare(a.lastSeen ?? '') || a.id.localeCompare(b.id);
}

/** The entity's events of one cluster's event list, folded and newest first. */
export function foldEvents(cluster: string, events: EventJson[], involved: InvolvedSet): KubeEvent[] {
  const groups = new Map<string, KubeEvent[]>();
  for (const e of events) {
    if (!involved.has(cluster, e.involvedObject.namespace ?? e.metadata.namespace, e.involvedObject.kind, e.involvedObject.name)) continue;
    const key = foldKey(cluster, e);
    groups.set(key, [...(groups.get(key) ?? []), toKubeEvent(cluster, e)]);
  }
  return [...groups.values()].map(mergeFolded).sort(newestFirst);
}
