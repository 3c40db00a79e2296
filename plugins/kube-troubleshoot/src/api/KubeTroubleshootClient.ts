import { DiscoveryApi, FetchApi, IdentityApi } from '@backstage/core-plugin-api';
import {
  CreateForkResponse,
  CreateSessionRequest,
  CreateSessionResponse,
  DebugOptionsResponse,
  ForkListResponse,
  ForkSummary,
  bearerProtocol,
  StartDebugRequest,
  StartDebugResponse,
  EntityDiagnosisResponse,
  EntityMetricsResponse,
  EntityEventsResponse,
  EntityPodsResponse,
  entityPath,
  EventStreamMessage,
  LogsQuery,
  LogStreamMessage,
  LiveSessionListResponse,
  RecordingListResponse,
  RecordingResponse,
  WatchSessionResponse,
} from '@kube-troubleshoot/backstage-plugin-common';
import {
  EntityRefParts,
  KubeTroubleshootApi,
  KubeTroubleshootApiError,
  DownloadProgress,
  RecordingFilter,
  SessionSocket,
} from './KubeTroubleshootApi';
import { readNdjson } from './ndjson';

/** The file name of a downloaded log: `<entity>-<pod>-<container>.log`, parts left out when "all". */
export function logFileName(
  entity: EntityRefParts,
  query: Pick<LogsQuery, 'pod' | 'container' | 'previous'>,
): string {
  const parts = [
    entity.name,
    query.pod,
    query.container,
    query.previous ? 'previous' : undefined,
  ];
  return `${parts.filter(Boolean).join('-')}.log`;
}

function toSearchParams(query: LogsQuery): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === false || value === '') continue;
    params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

async function toError(res: Response): Promise<KubeTroubleshootApiError> {
  let message = `${res.status} ${res.statusText}`.trim();
  try {
    const text = await res.text();
    try {
      const body = JSON.parse(text) as { error?: { message?: unknown } };
      if (typeof body.error?.message === 'string') message = body.error.message;
    } catch {
      if (text.trim()) message = text.trim().slice(0, 500);
    }
  } catch {
    // keep the status line
  }
  return new KubeTroubleshootApiError(message, res.status);
}

/** Saves a blob as a file through a temporary object URL. */
function saveBlob(blob: Blob, fileName: string) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.style.display = 'none';
  document.body.appendChild(a);
  a.click();
  a.remove();
  // Revoking at once can cancel the save in some browsers.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/**
 * Talks to the kube-troubleshoot backend through the app's fetchApi, which adds the user's
 * Backstage token.
 *
 * @public
 */
export class KubeTroubleshootClient implements KubeTroubleshootApi {
  private readonly discoveryApi: DiscoveryApi;
  private readonly fetchApi: FetchApi;
  private readonly identityApi: Pick<IdentityApi, 'getCredentials'>;

  constructor(options: {
    discoveryApi: DiscoveryApi;
    fetchApi: FetchApi;
    identityApi: Pick<IdentityApi, 'getCredentials'>;
  }) {
    this.discoveryApi = options.discoveryApi;
    this.fetchApi = options.fetchApi;
    this.identityApi = options.identityApi;
  }

  private async request(
    entity: EntityRefParts,
    route: string,
    query = '',
    signal?: AbortSignal,
  ): Promise<Response> {
    const base = await this.discoveryApi.getBaseUrl('kube-troubleshoot');
    const res = await this.fetchApi.fetch(
      `${base}${entityPath(entity)}/${route}${query}`,
      { signal },
    );
    if (!res.ok) throw await toError(res);
    return res;
  }

  private async getJson<T>(entity: EntityRefParts, route: string): Promise<T> {
    return (await (await this.request(entity, route)).json()) as T;
  }

  private async stream<T>(
    entity: EntityRefParts,
    route: string,
    query: string,
    onMessage: (message: T) => void,
    signal?: AbortSignal,
  ): Promise<void> {
    let res: Response;
    try {
      res = await this.request(entity, route, query, signal);
    } catch (e) {
      if (signal?.aborted) return;
      throw e;
    }
    if (!res.body)
      throw new Error('The browser cannot read streamed responses');
    await readNdjson<T>(res.body, onMessage, signal);
  }

  getPods(entity: EntityRefParts): Promise<EntityPodsResponse> {
    return this.getJson(entity, 'pods');
  }

  streamLogs(
    entity: EntityRefParts,
    query: Omit<LogsQuery, 'download'>,
    onMessage: (message: LogStreamMessage) => void,
    signal?: AbortSignal,
  ): Promise<void> {
    return this.stream(
      entity,
      'logs',
      toSearchParams(query),
      onMessage,
      signal,
    );
  }

  async downloadLogs(
    entity: EntityRefParts,
    query: Pick<
      LogsQuery,
      'cluster' | 'pod' | 'container' | 'previous' | 'timestamps'
    >,
  ): Promise<void> {
    const res = await this.request(
      entity,
      'logs',
      toSearchParams({ ...query, download: true }),
    );
    saveBlob(await res.blob(), logFileName(entity, query));
  }

  getEvents(entity: EntityRefParts): Promise<EntityEventsResponse> {
    return this.getJson(entity, 'events');
  }

  watchEvents(
    entity: EntityRefParts,
    onMessage: (message: EventStreamMessage) => void,
    signal?: AbortSignal,
  ): Promise<void> {
    return this.stream(entity, 'events', '?watch=true', onMessage, signal);
  }

  getDiagnosis(entity: EntityRefParts): Promise<EntityDiagnosisResponse> {
    return this.getJson(entity, 'diagnosis');
  }

  getMetrics(entity: EntityRefParts): Promise<EntityMetricsResponse> {
    return this.getJson(entity, 'metrics');
  }

  async createSession(
    entity: EntityRefParts,
    request: CreateSessionRequest,
  ): Promise<CreateSessionResponse> {
    const base = await this.discoveryApi.getBaseUrl('kube-troubleshoot');
    const res = await this.fetchApi.fetch(
      `${base}${entityPath(entity)}/sessions`,
      {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(request),
      },
    );
    if (!res.ok) throw await toError(res);
    return (await res.json()) as CreateSessionResponse;
  }

  listLiveSessions(entity: EntityRefParts): Promise<LiveSessionListResponse> {
    return this.getJson(entity, 'sessions/live');
  }

  async watchSession(entity: EntityRefParts, sessionId: string): Promise<WatchSessionResponse> {
    const base = await this.discoveryApi.getBaseUrl('kube-troubleshoot');
    const res = await this.fetchApi.fetch(`${base}${entityPath(entity)}/sessions/${encodeURIComponent(sessionId)}/watch`, { method: 'POST' });
    if (!res.ok) throw await toError(res);
    return (await res.json()) as WatchSessionResponse;
  }

  async sessionSocket(session: Pick<CreateSessionResponse, 'path' | 'protocols'>): Promise<SessionSocket> {
    const base = new URL(
      await this.discoveryApi.getBaseUrl('kube-troubleshoot'),
      window.location.href,
    );
    const url = new URL(session.path, base);
    url.protocol = base.protocol === 'https:' ? 'wss:' : 'ws:';
    // A browser WebSocket cannot send Authorization: the token travels as a subprotocol.
    const { token } = await this.identityApi.getCredentials();
    if (!token) {
      throw new Error('Sign in to open a terminal: the session needs your Backstage token');
    }
    return {
      url: url.toString(),
      protocols: [...session.protocols, bearerProtocol(token)],
    };
  }

  async listRecordings(
    filter: RecordingFilter & { entity?: EntityRefParts } = {},
  ): Promise<RecordingListResponse> {
    const base = await this.discoveryApi.getBaseUrl('kube-troubleshoot');
    const { entity, entityRef, ...rest } = filter;
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries({ ...rest, entity: entity ? undefined : entityRef })) {
      if (v !== undefined && v !== '') params.set(k, String(v));
    }
    const query = params.toString() ? `?${params}` : '';
    const path = entity
      ? `${entityPath(entity)}/recordings`
      : '/recordings';
    const res = await this.fetchApi.fetch(`${base}${path}${query}`);
    if (!res.ok) throw await toError(res);
    return (await res.json()) as RecordingListResponse;
  }

  async getRecording(id: string): Promise<RecordingResponse> {
    const base = await this.discoveryApi.getBaseUrl('kube-troubleshoot');
    const res = await this.fetchApi.fetch(
      `${base}/recordings/${encodeURIComponent(id)}`,
    );
    if (!res.ok) throw await toError(res);
    return (await res.json()) as RecordingResponse;
  }

  private async send<T>(
    entity: EntityRefParts,
    route: string,
    method: 'POST' | 'DELETE',
    body?: unknown,
  ): Promise<T> {
    const base = await this.discoveryApi.getBaseUrl('kube-troubleshoot');
    const res = await this.fetchApi.fetch(
      `${base}${entityPath(entity)}/${route}`,
      {
        method,
        headers: body ? { 'Content-Type': 'application/json' } : undefined,
        body: body ? JSON.stringify(body) : undefined,
      },
    );
    if (!res.ok) throw await toError(res);
    return (res.status === 204 ? undefined : await res.json()) as T;
  }

  getDebugOptions(entity: EntityRefParts): Promise<DebugOptionsResponse> {
    return this.getJson(entity, 'debug/options');
  }

  startDebug(
    entity: EntityRefParts,
    request: StartDebugRequest,
  ): Promise<StartDebugResponse> {
    return this.send(entity, 'debug', 'POST', request);
  }

  createFork(
    entity: EntityRefParts,
    request: CreateSessionRequest,
  ): Promise<CreateForkResponse> {
    return this.send(entity, 'forks', 'POST', request);
  }

  listForks(entity: EntityRefParts): Promise<ForkListResponse> {
    return this.getJson(entity, 'forks');
  }

  async deleteFork(entity: EntityRefParts, fork: ForkSummary): Promise<void> {
    await this.send(
      entity,
      `forks/${encodeURIComponent(fork.name)}?cluster=${encodeURIComponent(fork.cluster)}`,
      'DELETE',
    );
  }

  async downloadFile(
    entity: EntityRefParts,
    query: { cluster: string; pod: string; container: string; path: string },
    onProgress?: (progress: DownloadProgress) => void,
  ): Promise<void> {
    const res = await this.request(
      entity,
      'files',
      `?${new URLSearchParams(query).toString()}`,
    );
    const base = query.path.split('/').filter(Boolean).pop() ?? 'download';
    // The server estimates the archive's size before it starts (a tar's is known only at its end).
    const estimated = Number(res.headers.get('X-Estimated-Size')) || undefined;
    const chunks: Uint8Array[] = [];
    let received = 0;
    const reader = res.body?.getReader();
    if (!reader) {
      saveBlob(await res.blob(), `${base}.tar`);
      return;
    }
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      received += value.length;
      onProgress?.({ received, estimated });
    }
    saveBlob(new Blob(chunks as BlobPart[], { type: 'application/x-tar' }), `${base}.tar`);
  }
}
