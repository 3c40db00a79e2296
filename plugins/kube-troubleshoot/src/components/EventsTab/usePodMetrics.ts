import { useEffect, useState } from 'react';
import { useApi } from '@backstage/core-plugin-api';
import { EntityMetricsResponse } from '@kube-troubleshoot/backstage-plugin-common';
import { EntityRefParts, kubeTroubleshootApiRef } from '../../api';

/**
 * The entity's CPU and memory, read again at the backend's sampling interval while the tab is open.
 * A failed read keeps the last answer (metrics are a help beside the diagnosis, never required).
 */
export function usePodMetrics(entity: EntityRefParts): { value?: EntityMetricsResponse; error?: Error } {
  const api = useApi(kubeTroubleshootApiRef);
  const [state, setState] = useState<{ value?: EntityMetricsResponse; error?: Error }>({});
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const read = async () => {
      let delayMs = 15_000;
      try {
        const value = await api.getMetrics(entity);
        if (stopped) return;
        setState({ value });
        delayMs = Math.max(5, value.intervalSeconds) * 1000;
      } catch (error) {
        if (stopped) return;
        setState(s => ({ ...s, error: error as Error }));
      }
      timer = setTimeout(read, delayMs);
    };
    void read();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [api, entity]);
  return state;
}
