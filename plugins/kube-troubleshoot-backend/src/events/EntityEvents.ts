import { createHash } from 'node:crypto';
import { Entity } from '@backstage/catalog-model';
import { ClusterError, EntityEventsResponse, EventStreamMessage, KubeEvent } from '@kube-troubleshoot/backstage-plugin-common';
import { KubeApiError } from '../clusters/KubeApiError';
import { KubeApi } from '../clusters/KubeClient';
import { EventJson, ListJson, ObjectMeta } from '../clusters/kubeTypes';
import { lineBatches } from '../clusters/lineSplitter';
import { clusterError, TargetResolver } from '../targets/TargetResolver';
import { foldKey, mergeFolded, newestFirst, toKubeEvent } from './foldEvents';

/** Which objects' events belong to the entity in one cluster namespace: its pods and their owners. */
interface Scope {
  client: KubeApi;
  namespace: string;
  objects: Set<string>;
}

const objKey = (kind?: string, name?: string) => `${kind}/${name}`;
const foldedId = (key: string) => createHash('sha1').update(key).digest('hex').slice(0, 16);

/** Folded, diffable state of one scope's events. */
class ScopeState {
  private readonly byUid = new Map<string, { key: string; event: KubeEvent }>();

  constructor(readonly scope: Scope) {}

  belongs(e: EventJson) {
    return this.scope.objects.has(objKey(e.involvedObject.kind, e.involvedObject.name));
  }

  /** Applies a change; returns the fold keys it touched. */
  apply(type: 'ADDED' | 'MODIFIED' | 'DELETED', e: EventJson): string[] {
    const uid = e.metadata.uid ?? e.metadata.name;
    const before = this.byUid.get(uid)?.key;
    if (type === 'DELETED' || !this.belongs(e)) this.byUid.delete(uid);
    else this.byUid.set(uid, { key: foldKey(this.scope.client.name, e), event: toKubeEvent(this.scope.client.name, e) });
    const after = this.byUid.get(uid)?.key;
    return [...new Set([before, after].filter((k): k is string => !!k))];
  }

  replaceAll(events: EventJson[]): void {
    this.byUid.clear();
    for (const e of events) this.apply('ADDED', e);
  }

  folded(key: string): KubeEvent | undefined {
    const members = [...this.byUid.values()].filter(v => v.key === key).map(v => v.event);
    return members.length ? { ...mergeFolded(members), id: foldedId(key) } : undefined;
  }

  keys(): Set<string> {
    return new Set([...this.byUid.values()].map(v => v.key));
  }

  all(): KubeEvent[] {
    return [...this.keys()].map(k => this.folded(k)!);
  }
}

export interface WatchTuning {
  retryDelayMs?: number;
}

/** Events of an entity's pods and of their owners: listed once, or watched live. */
export class EntityEvents {
  constructor(private readonly targets: TargetResolver) {}

  private async scopes(entity: Entity, signal?: AbortSignal): Promise<{ scopes: Scope[]; clusterErrors: ClusterError[] }> {
    const { pods, clusterErrors } = await this.targets.listPods(entity, undefined, signal);
    const scopes = new Map<string, Scope>();
    const ownerCache = new Map<string, ObjectMeta | null>();
    for (const { client, pod } of pods) {
      const namespace = pod.metadata.namespace ?? 'default';
      const id = `${client.name}/${namespace}`;
      const scope = scopes.get(id) ?? { client, namespace, objects: new Set<string>() };
      scopes.set(id, scope);
      scope.objects.add(objKey('Pod', pod.metadata.name));
      for (const owner of await this.targets.ownerChain(client, pod.metadata, ownerCache, signal)) {
        scope.objects.add(objKey(owner.kind, owner.name));
      }
    }
    return { scopes: [...scopes.values()], clusterErrors };
  }

  private static listPath(scope: Scope) {
    return `/api/v1/namespaces/${encodeURIComponent(scope.namespace)}/events`;
  }

  async list(entity: Entity, signal?: AbortSignal): Promise<EntityEventsResponse> {
    const { scopes, clusterErrors } = await this.scopes(entity, signal);
    const events: KubeEvent[] = [];
    await Promise.all(
      scopes.map(async scope => {
        try {
          const list = await scope.client.getJson<ListJson<EventJson>>(EntityEvents.listPath(scope), {}, signal);
          const state = new ScopeState(scope);
          state.replaceAll(list.items);
          events.push(...state.all());
        } catch (e) {
          clusterErrors.push(clusterError(scope.client, e));
        }
      }),
    );
    return { events: events.sort(newestFirst), clusterErrors };
  }

  /**
   * A snapshot, then upserts and deletes as events change. A watch that expires (410) or drops is
   * replaced by a relist whose differences alone are sent, so the client never sees a duplicate.
   */
  async watch(entity: Entity, emit: (m: EventStreamMessage) => Promise<void>, signal: AbortSignal, tuning: WatchTuning = {}) {
    const { scopes, clusterErrors } = await this.scopes(entity, signal);
    const states = scopes.map(s => new ScopeState(s));
    const versions: string[] = [];
    const initial: KubeEvent[] = [];
    await Promise.all(
      states.map(async (state, i) => {
        try {
          const list = await state.scope.client.getJson<ListJson<EventJson>>(EntityEvents.listPath(state.scope), {}, signal);
          state.replaceAll(list.items);
          versions[i] = list.metadata.resourceVersion ?? '';
          initial.push(...state.all());
        } catch (e) {
          clusterErrors.push(clusterError(state.scope.client, e));
        }
      }),
    );
    await emit({ type: 'snapshot', events: initial.sort(newestFirst), clusterErrors });
    // Pods that appear later (a rollout, a rescheduled pod) join the scope when their first event comes.
    const notOurs = new Set<string>();
    const adopt = async (state: ScopeState, e: EventJson) => {
      const io = e.involvedObject;
      const key = `${state.scope.client.name}/${state.scope.namespace}/${io.name}`;
      if (io.kind !== 'Pod' || !io.name || state.belongs(e) || notOurs.has(key)) return;
      try {
        await this.targets.findPod(entity, { cluster: state.scope.client.name, pod: io.name, namespace: state.scope.namespace }, signal);
        state.scope.objects.add(objKey('Pod', io.name));
      } catch {
        notOurs.add(key);
      }
    };
    await Promise.all(
      states.map((state, i) => (versions[i] !== undefined ? this.watchScope(state, versions[i], emit, signal, tuning, e => adopt(state, e)) : undefined)),
    );
  }

  private async watchScope(
    state: ScopeState,
    fromVersion: string,
    emit: (m: EventStreamMessage) => Promise<void>,
    signal: AbortSignal,
    tuning: WatchTuning,
    adopt: (e: EventJson) => Promise<void>,
  ) {
    const { client } = state.scope;
    let rv: string | undefined = fromVersion;
    const sendKeys = async (keys: string[]) => {
      for (const key of keys) {
        const folded = state.folded(key);
        await emit(folded ? { type: 'upsert', event: folded } : { type: 'delete', id: foldedId(key) });
      }
    };
    while (!signal.aborted) {
      if (rv === undefined) {
        // Relist: send only what differs from what the client already has.
        try {
          const before = new Map([...state.keys()].map(k => [k, JSON.stringify(state.folded(k))]));
          const list = await client.getJson<ListJson<EventJson>>(EntityEvents.listPath(state.scope), {}, signal);
          state.replaceAll(list.items);
          rv = list.metadata.resourceVersion ?? '';
          const changed = [...new Set([...before.keys(), ...state.keys()])].filter(k => before.get(k) !== JSON.stringify(state.folded(k)));
          await sendKeys(changed);
        } catch (e) {
          if (signal.aborted) return;
          await emit({ type: 'error', message: (e as Error).message, cluster: client.name, statusCode: (e as KubeApiError).statusCode });
          await new Promise(r => setTimeout(r, tuning.retryDelayMs ?? 2000));
          continue;
        }
      }
      try {
        const res = await client.stream(EntityEvents.listPath(state.scope), { watch: true, resourceVersion: rv, allowWatchBookmarks: true }, signal);
        for await (const lines of lineBatches(res)) {
          for (const line of lines) {
            if (!line.trim()) continue;
            const ev = JSON.parse(line) as { type: string; object: EventJson & { code?: number } };
            if (ev.type === 'ERROR') {
              rv = undefined; // 410 Expired (or another watch error): relist
              break;
            }
            rv = ev.object.metadata?.resourceVersion ?? rv;
            if (ev.type === 'BOOKMARK') continue;
            await adopt(ev.object);
            await sendKeys(state.apply(ev.type as 'ADDED' | 'MODIFIED' | 'DELETED', ev.object));
          }
          if (rv === undefined) {
            res.destroy();
            break;
          }
        }
      } catch (e) {
        if (signal.aborted) return;
        rv = undefined;
        await new Promise(r => setTimeout(r, tuning.retryDelayMs ?? 500));
      }
    }
  }
}
