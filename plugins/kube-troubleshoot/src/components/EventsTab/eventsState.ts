import {
  ClusterError,
  EventStreamMessage,
  KubeEvent,
} from '@kube-troubleshoot/backstage-plugin-common';

export interface EventsState {
  /** By id; `snapshot` replaces it whole. */
  byId: Map<string, KubeEvent>;
  clusterErrors: ClusterError[];
  /** Errors the watch reported mid-stream (one cluster's watch failed, ...). */
  streamErrors: string[];
  /** A snapshot has arrived. */
  loaded: boolean;
}

export const initialEventsState: EventsState = {
  byId: new Map(),
  clusterErrors: [],
  streamErrors: [],
  loaded: false,
};

/** Applies one watch message. Returns a new state object, sharing what did not change. */
export function applyEventMessage(
  state: EventsState,
  message: EventStreamMessage,
): EventsState {
  switch (message.type) {
    case 'snapshot':
      return {
        byId: new Map(message.events.map(e => [e.id, e])),
        clusterErrors: message.clusterErrors,
        streamErrors: [],
        loaded: true,
      };
    case 'upsert': {
      const byId = new Map(state.byId);
      byId.set(message.event.id, message.event);
      return { ...state, byId };
    }
    case 'delete': {
      if (!state.byId.has(message.id)) return state;
      const byId = new Map(state.byId);
      byId.delete(message.id);
      return { ...state, byId };
    }
    case 'error': {
      const text = message.cluster
        ? `${message.cluster}: ${message.message}`
        : message.message;
      return {
        ...state,
        streamErrors: [...state.streamErrors.slice(-9), text],
      };
    }
    default:
      return state;
  }
}

const time = (e: KubeEvent) => Date.parse(e.lastSeen ?? e.firstSeen ?? '') || 0;

/** Newest first, as `kubectl events` shows them reversed. */
export function sortedEvents(byId: Map<string, KubeEvent>): KubeEvent[] {
  return [...byId.values()].sort(
    (a, b) => time(b) - time(a) || a.id.localeCompare(b.id),
  );
}

/** `5s ago`, `3m ago`, `2h ago`, `4d ago`; `in the future` for clock skew. */
export function relativeTime(iso: string | undefined, now: number): string {
  if (!iso) return '—';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  const s = Math.round((now - t) / 1000);
  if (s < -5) return 'in the future';
  if (s < 60) return `${Math.max(0, s)}s ago`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ago`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h ago`;
  return `${Math.floor(h / 24)}d ago`;
}
