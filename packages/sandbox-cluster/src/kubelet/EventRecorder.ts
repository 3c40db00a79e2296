import { randomUUID } from 'node:crypto';
import { ObjectStore } from '../store/ObjectStore';
import { KubeObject } from '../store/types';
import { kubeTime } from './clock';

export interface ObjectReference {
  kind: string;
  namespace?: string;
  name: string;
  uid?: string;
  apiVersion: string;
  resourceVersion?: string;
  fieldPath?: string;
}

export interface EventSource {
  component: string;
  host?: string;
}

export function referenceTo(obj: KubeObject, fieldPath?: string): ObjectReference {
  return {
    kind: obj.kind,
    namespace: obj.metadata.namespace,
    name: obj.metadata.name,
    uid: obj.metadata.uid,
    apiVersion: obj.apiVersion,
    resourceVersion: obj.metadata.resourceVersion,
    ...(fieldPath ? { fieldPath } : {}),
  };
}

/**
 * Writes core/v1 Events the way client-go's recorder does: a repeat of the same object, reason,
 * message and source bumps `count` and `lastTimestamp` of the existing Event instead of adding one.
 */
export class EventRecorder {
  private readonly byKey = new Map<string, string>();

  constructor(private readonly store: ObjectStore) {}

  record(ref: ObjectReference, type: 'Normal' | 'Warning', reason: string, message: string, source: EventSource) {
    const namespace = ref.namespace ?? 'default';
    const key = [ref.uid, ref.fieldPath, reason, message, source.component, source.host].join('\u0000');
    const now = kubeTime();
    const existing = this.byKey.get(key);
    if (existing && this.store.get('events', namespace, existing)) {
      this.store.update('events', namespace, existing, ev => {
        ev.count = ((ev.count as number) ?? 1) + 1;
        ev.lastTimestamp = now;
      });
      return;
    }
    const name = `${ref.name}.${(BigInt(Date.now()) * 1_000_000n + BigInt(this.byKey.size)).toString(16)}`;
    this.store.create('events', {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace, uid: randomUUID(), creationTimestamp: now },
      involvedObject: ref,
      reason,
      message,
      source,
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
      type,
      eventTime: null,
      reportingComponent: source.component,
      reportingInstance: source.host ?? '',
    });
    this.byKey.set(key, name);
  }
}
