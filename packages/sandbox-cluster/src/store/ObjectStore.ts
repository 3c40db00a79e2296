import { randomUUID } from 'node:crypto';
import { KubeObject, StoreChange } from './types';

/** Thrown by the store; the API layer turns it into a Status. */
export class StoreError extends Error {
  constructor(
    readonly reason: 'NotFound' | 'AlreadyExists' | 'Conflict' | 'Expired',
    message: string,
  ) {
    super(message);
  }
}

type Listener = (change: StoreChange) => void;

export interface StoreOptions {
  /** How many past changes a watch may resume from; older resourceVersions get 410 Expired. */
  historySize?: number;
}

/**
 * In-memory object storage with one global resourceVersion counter, as etcd gives the apiserver.
 * Keeps a bounded history of changes so a watch can start from a past resourceVersion.
 */
export class ObjectStore {
  private readonly objects = new Map<string, KubeObject>();
  private readonly history: StoreChange[] = [];
  private readonly listeners = new Set<Listener>();
  private readonly historySize: number;
  private rv = 1;

  constructor(options: StoreOptions = {}) {
    this.historySize = options.historySize ?? 2000;
  }

  get resourceVersion(): number {
    return this.rv;
  }

  /** The oldest resourceVersion a watch can still start after. */
  get oldestWatchableVersion(): number {
    return this.history.length ? this.history[0].resourceVersion - 1 : this.rv;
  }

  private static key(resource: string, namespace: string | undefined, name: string) {
    return `${resource}/${namespace ?? ''}/${name}`;
  }

  get<T extends KubeObject>(resource: string, namespace: string | undefined, name: string): T | undefined {
    const obj = this.objects.get(ObjectStore.key(resource, namespace, name));
    return obj ? (structuredClone(obj) as T) : undefined;
  }

  list<T extends KubeObject>(resource: string, namespace?: string): T[] {
    const prefix = namespace === undefined ? `${resource}/` : `${resource}/${namespace}/`;
    const out: T[] = [];
    for (const [key, obj] of this.objects) {
      if (key.startsWith(prefix)) out.push(structuredClone(obj) as T);
    }
    return out.sort((a, b) =>
      `${a.metadata.namespace ?? ''}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace ?? ''}/${b.metadata.name}`),
    );
  }

  create<T extends KubeObject>(resource: string, object: T): T {
    const obj = structuredClone(object);
    const { namespace, name } = obj.metadata;
    const key = ObjectStore.key(resource, namespace, name);
    if (this.objects.has(key)) {
      throw new StoreError('AlreadyExists', `${resource} "${name}" already exists`);
    }
    obj.metadata.uid ??= randomUUID();
    obj.metadata.creationTimestamp ??= new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    return this.commit('ADDED', resource, key, obj);
  }

  /** Applies `mutate` to the stored object and commits the result as one change. */
  update<T extends KubeObject>(resource: string, namespace: string | undefined, name: string, mutate: (obj: T) => void): T {
    const key = ObjectStore.key(resource, namespace, name);
    const current = this.objects.get(key);
    if (!current) throw new StoreError('NotFound', `${resource} "${name}" not found`);
    const next = structuredClone(current) as T;
    mutate(next);
    return this.commit('MODIFIED', resource, key, next);
  }

  delete<T extends KubeObject>(resource: string, namespace: string | undefined, name: string): T {
    const key = ObjectStore.key(resource, namespace, name);
    const current = this.objects.get(key);
    if (!current) throw new StoreError('NotFound', `${resource} "${name}" not found`);
    const obj = structuredClone(current) as T;
    this.objects.delete(key);
    this.rv += 1;
    obj.metadata.resourceVersion = String(this.rv);
    this.record({ type: 'DELETED', resource, object: obj, resourceVersion: this.rv });
    return structuredClone(obj);
  }

  private commit<T extends KubeObject>(type: 'ADDED' | 'MODIFIED', resource: string, key: string, obj: T): T {
    this.rv += 1;
    obj.metadata.resourceVersion = String(this.rv);
    this.objects.set(key, obj);
    this.record({ type, resource, object: structuredClone(obj), resourceVersion: this.rv });
    return structuredClone(obj);
  }

  private record(change: StoreChange) {
    this.history.push(change);
    if (this.history.length > this.historySize) this.history.shift();
    for (const listener of [...this.listeners]) listener(change);
  }

  /**
   * Changes of `resource` after `sinceVersion`, then live ones through `listener`.
   * Throws Expired when that version has left the history window.
   */
  watch(resource: string, sinceVersion: number, listener: Listener): () => void {
    if (sinceVersion < this.oldestWatchableVersion) {
      throw new StoreError('Expired', `too old resource version: ${sinceVersion} (${this.oldestWatchableVersion + 1})`);
    }
    const past = this.history.filter(c => c.resource === resource && c.resourceVersion > sinceVersion);
    const live: Listener = change => {
      if (change.resource === resource) listener(structuredClone(change));
    };
    this.listeners.add(live);
    for (const change of past) listener(structuredClone(change));
    return () => this.listeners.delete(live);
  }

  /** Drops the watch history, so every earlier resourceVersion is expired (tests of 410 handling). */
  compact() {
    this.history.length = 0;
  }
}
