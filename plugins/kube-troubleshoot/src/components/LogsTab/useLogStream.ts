import { useCallback, useEffect, useRef, useState } from 'react';
import { useApi } from '@backstage/core-plugin-api';
import {
  LogsQuery,
  LogStreamMessage,
} from '@kube-troubleshoot/backstage-plugin-common';
import { EntityRefParts, kubeTroubleshootApiRef } from '../../api';
import { LogBuffer, LogEntry, MAX_LOG_LINES, toEntry } from './logBuffer';

/** How often received lines are handed to React: one render per batch, not per line. */
const FLUSH_MS = 100;

export type StreamStatus = 'connecting' | 'streaming' | 'ended' | 'failed';

export interface LogStreamState {
  buffer: LogBuffer;
  /** Changes whenever `buffer` changed (the buffer itself is mutated in place). */
  version: number;
  status: StreamStatus;
  /** The server refused or failed the whole request. */
  error?: Error;
  /** Per pod/container failures reported inside the stream. */
  streamErrors: LogEntry[];
  /** Lines received while paused, not shown yet. */
  held: number;
  /** Entries dropped from the front at the last flush (to keep the scroll position). */
  lastDropped: number;
  paused: boolean;
  setPaused(paused: boolean): void;
}

type StreamQuery = Omit<LogsQuery, 'download' | 'timestamps'>;

/**
 * Reads the log stream for `query` into a capped buffer; a new query (or entity) aborts the old
 * stream and starts over, and so does a new `generation` (a restart asked for by the user). While
 * paused, lines are held back and counted.
 */
export function useLogStream(
  entity: EntityRefParts,
  query: StreamQuery,
  options: { capacity?: number; generation?: number } = {},
): LogStreamState {
  const { capacity = MAX_LOG_LINES, generation = 0 } = options;
  const api = useApi(kubeTroubleshootApiRef);
  const bufferRef = useRef(new LogBuffer(capacity));
  const incoming = useRef<LogEntry[]>([]);
  const heldRef = useRef<LogEntry[]>([]);
  const pausedRef = useRef(false);
  const nextId = useRef(1);
  const [state, setState] = useState<{
    version: number;
    status: StreamStatus;
    error?: Error;
    streamErrors: LogEntry[];
    held: number;
    lastDropped: number;
    paused: boolean;
  }>({
    version: 0,
    status: 'connecting',
    streamErrors: [],
    held: 0,
    lastDropped: 0,
    paused: false,
  });

  const queryKey = JSON.stringify([
    entity.kind,
    entity.namespace,
    entity.name,
    query,
    generation,
  ]);

  const flush = useCallback(() => {
    const batch = incoming.current;
    incoming.current = [];
    if (pausedRef.current) {
      const held = heldRef.current;
      for (const e of batch) held.push(e);
      // Held lines are capped like shown ones: beyond capacity they could never be shown.
      if (held.length > capacity) held.splice(0, held.length - capacity);
      setState(s => ({ ...s, held: held.length }));
      return;
    }
    const dropped = bufferRef.current.append(batch);
    setState(s => ({ ...s, version: s.version + 1, lastDropped: dropped }));
  }, [capacity]);

  useEffect(() => {
    const controller = new AbortController();
    const buffer = bufferRef.current;
    buffer.clear();
    incoming.current = [];
    heldRef.current = [];
    // A new selection shows its lines at once, even if the old one was paused.
    pausedRef.current = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const schedule = () => {
      timer ??= setTimeout(() => {
        timer = undefined;
        flush();
      }, FLUSH_MS);
    };
    setState(s => ({
      ...s,
      version: s.version + 1,
      status: 'connecting',
      error: undefined,
      streamErrors: [],
      held: 0,
      lastDropped: 0,
      paused: false,
    }));

    const onMessage = (m: LogStreamMessage) => {
      if (m.type === 'end') return;
      const entry = toEntry(m, nextId.current++);
      if (!entry) return;
      incoming.current.push(entry);
      // Bound what waits for a flush when the tab is in the background (timers slow down).
      if (incoming.current.length > capacity)
        incoming.current.splice(0, incoming.current.length - capacity);
      if (entry.kind === 'error')
        setState(s => ({ ...s, streamErrors: [...s.streamErrors, entry] }));
      schedule();
    };

    let first = true;
    api
      .streamLogs(
        entity,
        query,
        m => {
          if (first) {
            first = false;
            setState(s => ({ ...s, status: 'streaming' }));
          }
          onMessage(m);
        },
        controller.signal,
      )
      .then(
        () => {
          if (controller.signal.aborted) return;
          if (timer) clearTimeout(timer);
          timer = undefined;
          flush();
          setState(s => ({ ...s, status: 'ended' }));
        },
        (error: Error) => {
          if (controller.signal.aborted) return;
          if (timer) clearTimeout(timer);
          timer = undefined;
          flush();
          setState(s => ({ ...s, status: 'failed', error }));
        },
      );
    return () => {
      controller.abort();
      if (timer) clearTimeout(timer);
    };
    // queryKey stands for entity and query
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [api, queryKey, flush]);

  const setPaused = useCallback((paused: boolean) => {
    pausedRef.current = paused;
    if (!paused) {
      const held = heldRef.current;
      heldRef.current = [];
      const dropped = bufferRef.current.append(held);
      setState(s => ({
        ...s,
        paused,
        held: 0,
        version: s.version + 1,
        lastDropped: dropped,
      }));
    } else {
      setState(s => ({ ...s, paused }));
    }
  }, []);

  return { buffer: bufferRef.current, ...state, setPaused };
}
