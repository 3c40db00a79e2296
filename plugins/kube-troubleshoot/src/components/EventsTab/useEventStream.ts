import { useEffect, useReducer, useRef, useState } from 'react';
import { useApi } from '@backstage/core-plugin-api';
import { EventStreamMessage } from '@kube-troubleshoot/backstage-plugin-common';
import {
  EntityRefParts,
  KubeTroubleshootApiError,
  kubeTroubleshootApiRef,
} from '../../api';
import {
  applyEventMessage,
  EventsState,
  initialEventsState,
} from './eventsState';

/** Pause before re-opening a watch the network or the server ended. */
const RETRY_MS = [1000, 2000, 5000, 10000];

export type WatchStatus = 'connecting' | 'live' | 'reconnecting' | 'failed';

type Action = EventStreamMessage | { type: 'reset' };

function reducer(state: EventsState, action: Action): EventsState {
  return action.type === 'reset'
    ? initialEventsState
    : applyEventMessage(state, action);
}

/**
 * The entity's events, live: a snapshot then changes. A watch that ends is re-opened (its
 * snapshot replaces what is shown); a refusal from the server (4xx) is final.
 */
export function useEventStream(
  entity: EntityRefParts,
  onChange?: (message: EventStreamMessage) => void,
) {
  const api = useApi(kubeTroubleshootApiRef);
  const [state, dispatch] = useReducer(reducer, initialEventsState);
  const [status, setStatus] = useState<WatchStatus>('connecting');
  const [error, setError] = useState<Error>();
  const key = `${entity.kind}:${entity.namespace}/${entity.name}`;
  const onChangeRef = useRef(onChange);
  onChangeRef.current = onChange;

  useEffect(() => {
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    let attempt = 0;
    dispatch({ type: 'reset' });
    setStatus('connecting');
    setError(undefined);

    function open() {
      api
        .watchEvents(
          entity,
          m => {
            if (m.type === 'snapshot') {
              attempt = 0;
              setStatus('live');
              setError(undefined);
            }
            dispatch(m);
            onChangeRef.current?.(m);
          },
          controller.signal,
        )
        .then(
          () => retry(),
          (e: Error) => {
            if (controller.signal.aborted) return;
            if (e instanceof KubeTroubleshootApiError && e.statusCode < 500) {
              setStatus('failed');
              setError(e);
              return;
            }
            setError(e);
            retry();
          },
        );
    }
    function retry() {
      if (controller.signal.aborted) return;
      setStatus('reconnecting');
      timer = setTimeout(
        open,
        RETRY_MS[Math.min(attempt++, RETRY_MS.length - 1)],
      );
    }
    open();
    return () => {
      controller.abort();
      if (timer) clearTimeout(timer);
    };
    // key stands for entity
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [api, key]);

  return { ...state, status, error };
}
