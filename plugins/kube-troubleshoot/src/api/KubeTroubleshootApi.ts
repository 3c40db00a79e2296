import { createApiRef } from '@backstage/core-plugin-api';
import {
  CreateForkResponse,
  CreateSessionRequest,
  CreateSessionResponse,
  DebugOptionsResponse,
  ForkListResponse,
  ForkSummary,
  StartDebugRequest,
  StartDebugResponse,
  EntityDiagnosisResponse,
  EntityMetricsResponse,
  EntityEventsResponse,
  EntityPodsResponse,
  EventStreamMessage,
  LogsQuery,
  LogStreamMessage,
  LiveSessionListResponse,
  RecordingListQuery,
  RecordingListResponse,
  RecordingResponse,
  WatchSessionResponse,
} from '@kube-troubleshoot/backstage-plugin-common';

/** The entity whose workload is asked about: kind, namespace (default `default`) and name. */
export interface EntityRefParts {
  kind: string;
  namespace?: string;
  name: string;
}

/**
 * Client of the kube-troubleshoot backend's entity routes.
 *
 * @public
 */
export interface KubeTroubleshootApi {
  getPods(entity: EntityRefParts): Promise<EntityPodsResponse>;
  /**
   * Streams the log; resolves when the server ends the stream, or quietly when `signal` aborts.
   * Rejects with {@link KubeTroubleshootApiError} when the server refuses the request.
   */
  streamLogs(
    entity: EntityRefParts,
    query: Omit<LogsQuery, 'download'>,
    onMessage: (message: LogStreamMessage) => void,
    signal?: AbortSignal,
  ): Promise<void>;
  /** The server-side full log (not only what the browser holds), saved as a file. */
  downloadLogs(
    entity: EntityRefParts,
    query: Pick<
      LogsQuery,
      'cluster' | 'pod' | 'container' | 'previous' | 'timestamps'
    >,
  ): Promise<void>;
  getEvents(entity: EntityRefParts): Promise<EntityEventsResponse>;
  /** A snapshot, then upserts and deletes, until `signal` aborts or the server ends the stream. */
  watchEvents(
    entity: EntityRefParts,
    onMessage: (message: EventStreamMessage) => void,
    signal?: AbortSignal,
  ): Promise<void>;
  getDiagnosis(entity: EntityRefParts): Promise<EntityDiagnosisResponse>;
  /** CPU and memory per container against requests and limits, with the last minutes. */
  getMetrics(entity: EntityRefParts): Promise<EntityMetricsResponse>;
  /** Asks for a terminal on one container; the answer carries a one-time ticket. */
  createSession(
    entity: EntityRefParts,
    request: CreateSessionRequest,
  ): Promise<CreateSessionResponse>;
  /**
   * How to open a session's WebSocket: its URL (`ws:`/`wss:` on the backend's origin) and the
   * subprotocols (the terminal protocol, the ticket and the user's Backstage token).
   */
  sessionSocket(session: Pick<CreateSessionResponse, 'path' | 'protocols'>): Promise<SessionSocket>;
  /** The entity's running sessions the caller may watch (shared), and their own. */
  listLiveSessions(entity: EntityRefParts): Promise<LiveSessionListResponse>;
  /** A read-only seat in a shared session: its attach token in `protocols`. */
  watchSession(entity: EntityRefParts, sessionId: string): Promise<WatchSessionResponse>;
  /** Recordings the caller may replay, newest first; only one entity's when given. */
  listRecordings(
    filter?: RecordingFilter & { entity?: EntityRefParts },
  ): Promise<RecordingListResponse>;
  /** One recording: its summary and its asciicast v2 text. */
  getRecording(id: string): Promise<RecordingResponse>;
  getDebugOptions(entity: EntityRefParts): Promise<DebugOptionsResponse>;
  /** Adds (or finds again) a debug container; the answer carries a ticket to attach to it. */
  startDebug(entity: EntityRefParts, request: StartDebugRequest): Promise<StartDebugResponse>;
  /** Makes a copy of a pod with the container's command replaced by a sleep; a ticket to a shell in it. */
  createFork(
    entity: EntityRefParts,
    request: CreateSessionRequest,
  ): Promise<CreateForkResponse>;
  listForks(entity: EntityRefParts): Promise<ForkListResponse>;
  deleteFork(entity: EntityRefParts, fork: ForkSummary): Promise<void>;
  /** Saves a tar of a file or folder of a container, telling how far it got as it goes. */
  downloadFile(
    entity: EntityRefParts,
    query: { cluster: string; pod: string; container: string; path: string },
    onProgress?: (progress: DownloadProgress) => void,
  ): Promise<void>;
}

/** @public */
export interface DownloadProgress {
  /** Bytes received so far. */
  received: number;
  /** The server's estimate of the whole archive, when it gave one. */
  estimated?: number;
}

/** @public */
export interface SessionSocket {
  url: string;
  protocols: string[];
}

/** @public */
/** Which recordings to list: the query of `GET /recordings`, the entity as a ref (`entityRef`). */
export type RecordingFilter = Omit<RecordingListQuery, 'entity'> & { entityRef?: string };

/** @public */
export const kubeTroubleshootApiRef = createApiRef<KubeTroubleshootApi>({
  id: 'plugin.kube-troubleshoot.service',
});

/**
 * A request the backend refused, with the message of its error body (a 403's message names the
 * missing permission).
 *
 * @public
 */
export class KubeTroubleshootApiError extends Error {
  readonly statusCode: number;

  constructor(message: string, statusCode: number) {
    super(message);
    this.name = 'KubeTroubleshootApiError';
    this.statusCode = statusCode;
  }
}
