import {
  CreateForkResponse,
  CreateSessionRequest,
  CreateSessionResponse,
  DebugOptionsResponse,
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
  PodSummary,
  LiveSessionListResponse,
  RecordingListResponse,
  WatchSessionResponse,
  RecordingCommand,
  RecordingResponse,
} from '@kube-troubleshoot/backstage-plugin-common';
import { Entity } from '@backstage/catalog-model';
import { EntityRefParts, KubeTroubleshootApi } from '../api';

/** An open stream the test writes into; `end()` finishes it as the server would. */
export class FakeStream<T> {
  readonly query: unknown;
  readonly signal?: AbortSignal;
  private readonly onMessage: (m: T) => void;
  private done?: (error?: Error) => void;
  readonly finished: Promise<void>;

  constructor(query: unknown, onMessage: (m: T) => void, signal?: AbortSignal) {
    this.query = query;
    this.onMessage = onMessage;
    this.signal = signal;
    this.finished = new Promise<void>((resolve, reject) => {
      this.done = e => (e ? reject(e) : resolve());
    });
    signal?.addEventListener('abort', () => this.done?.());
  }

  get aborted() {
    return Boolean(this.signal?.aborted);
  }

  send(...messages: T[]) {
    this.sendAll(messages);
  }

  sendAll(messages: T[]) {
    if (this.aborted) throw new Error('stream was aborted');
    for (const m of messages) this.onMessage(m);
  }

  end(error?: Error) {
    this.done?.(error);
  }
}

/** A KubeTroubleshootApi whose answers the test decides. */
export class FakeKubeTroubleshootApi implements KubeTroubleshootApi {
  pods: () => Promise<EntityPodsResponse> = async () => ({
    pods: [],
    clusterErrors: [],
  });
  diagnosis: () => Promise<EntityDiagnosisResponse> = async () => ({
    pods: [],
    clusterErrors: [],
  });
  /** Rejects the next stream requests with this error instead of opening them. */
  logsError?: Error;
  eventsError?: Error;
  readonly logStreams: Array<FakeStream<LogStreamMessage>> = [];
  readonly eventStreams: Array<FakeStream<EventStreamMessage>> = [];
  readonly downloads: Array<Partial<LogsQuery>> = [];
  readonly calls: string[] = [];

  getPods = jest.fn(async (_entity: EntityRefParts) => {
    this.calls.push('pods');
    return this.pods();
  });

  streamLogs = jest.fn(
    (
      _entity: EntityRefParts,
      query: Omit<LogsQuery, 'download'>,
      onMessage: (m: LogStreamMessage) => void,
      signal?: AbortSignal,
    ) => {
      if (this.logsError) return Promise.reject(this.logsError);
      const stream = new FakeStream(query, onMessage, signal);
      this.logStreams.push(stream);
      return stream.finished;
    },
  );

  downloadLogs = jest.fn(
    async (_entity: EntityRefParts, query: Partial<LogsQuery>) => {
      this.downloads.push(query);
    },
  );

  getEvents = jest.fn(
    async (): Promise<EntityEventsResponse> => ({
      events: [],
      clusterErrors: [],
    }),
  );

  watchEvents = jest.fn(
    (
      _entity: EntityRefParts,
      onMessage: (m: EventStreamMessage) => void,
      signal?: AbortSignal,
    ) => {
      if (this.eventsError) return Promise.reject(this.eventsError);
      const stream = new FakeStream(undefined, onMessage, signal);
      this.eventStreams.push(stream);
      return stream.finished;
    },
  );

  getDiagnosis = jest.fn(async () => {
    this.calls.push('diagnosis');
    return this.diagnosis();
  });

  metrics: () => Promise<EntityMetricsResponse> = async () => ({ pods: [], windowSeconds: 900, intervalSeconds: 15, clusterErrors: [] });
  getMetrics = jest.fn(async () => {
    this.calls.push('metrics');
    return this.metrics();
  });

  readonly sessionRequests: CreateSessionRequest[] = [];
  /** Answers session requests; a test sets it to refuse them. */
  session: (request: CreateSessionRequest) => Promise<CreateSessionResponse> = async () => ({
    ticket: 't'.repeat(43),
    expiresAt: new Date(Date.now() + 30_000).toISOString(),
    path: '/api/kube-troubleshoot/sessions/ws',
    protocols: ['kube-troubleshoot.terminal.v1', `ticket.${'t'.repeat(43)}`],
    production: false,
  });

  createSession = jest.fn(async (_entity: EntityRefParts, request: CreateSessionRequest) => {
    this.sessionRequests.push(request);
    return this.session(request);
  });

  liveSessions: LiveSessionListResponse = { items: [] };
  listLiveSessions = jest.fn(async () => this.liveSessions);
  watchSession = jest.fn(async (_entity: EntityRefParts, sessionId: string): Promise<WatchSessionResponse> => {
    const session = this.liveSessions.items.find(s => s.sessionId === sessionId);
    if (!session) throw new Error(`no session ${sessionId}`);
    return { expiresAt: new Date(Date.now() + 30_000).toISOString(), path: '/api/kube-troubleshoot/sessions/ws', protocols: ['kube-troubleshoot.terminal.v1', `attach.${'w'.repeat(43)}`], role: 'watcher', session };
  });

  sessionSocket = jest.fn(async (s: Pick<CreateSessionResponse, 'path' | 'protocols'>) => ({
    url: `ws://backend.test${s.path}`,
    protocols: [...s.protocols, 'bearer.dG9rZW4'],
  }));

  recordings: RecordingListResponse = { items: [], scope: 'own' };
  casts: Record<string, string> = {};
  commands: Record<string, RecordingCommand[]> = {};

  listRecordings = jest.fn(async () => this.recordings);

  getRecording = jest.fn(async (id: string): Promise<RecordingResponse> => {
    const summary = this.recordings.items.find(r => r.id === id);
    if (!summary) throw new Error(`no recording ${id}`);
    return { ...summary, cast: this.casts[id] ?? '', commands: this.commands[id] ?? [] };
  });

  debugOptions: DebugOptionsResponse = {
    images: [{ name: 'debug-tools', image: 'sandbox.local/debug-tools:1', description: 'ps, top, curl', default: true }],
    clusters: { sandbox: { production: false, profiles: ['general', 'baseline', 'restricted'] } },
    forkTtlSeconds: 3600,
  };
  readonly debugRequests: StartDebugRequest[] = [];
  readonly forkRequests: CreateSessionRequest[] = [];
  forks: ForkSummary[] = [];

  getDebugOptions = jest.fn(async () => this.debugOptions);

  startDebug = jest.fn(async (_e: EntityRefParts, request: StartDebugRequest): Promise<StartDebugResponse> => {
    this.debugRequests.push(request);
    return { ...(await this.session({ cluster: request.cluster, pod: request.pod, container: 'debugger-bcdfg' })), container: 'debugger-bcdfg', reused: false, image: 'sandbox.local/debug-tools:1', profile: request.profile ?? 'general', note: 'Ephemeral containers cannot be removed.' };
  });

  createFork = jest.fn(async (_e: EntityRefParts, request: CreateSessionRequest): Promise<CreateForkResponse> => {
    this.forkRequests.push(request);
    const fork = { cluster: request.cluster, namespace: 'default', name: `${request.pod}-debug-abcde`, forkOf: request.pod, user: 'user:default/alice', expiresAt: new Date(Date.now() + 3600_000).toISOString(), phase: 'Running' };
    this.forks.push(fork);
    return { ...(await this.session(request)), fork, originalCommand: ['sh', '-c', 'exit 1'] };
  });

  listForks = jest.fn(async () => ({ items: [...this.forks] }));

  deleteFork = jest.fn(async (_e: EntityRefParts, fork: ForkSummary) => {
    this.forks = this.forks.filter(f => f.name !== fork.name);
  });

  readonly fileDownloads: Array<{ cluster: string; pod: string; container: string; path: string }> = [];

  downloadFile = jest.fn(async (_e: EntityRefParts, query: { cluster: string; pod: string; container: string; path: string }) => {
    this.fileDownloads.push(query);
  });

  get lastLogStream(): FakeStream<LogStreamMessage> {
    const s = this.logStreams[this.logStreams.length - 1];
    if (!s) throw new Error('no log stream was opened');
    return s;
  }

  get lastEventStream(): FakeStream<EventStreamMessage> {
    const s = this.eventStreams[this.eventStreams.length - 1];
    if (!s) throw new Error('no event stream was opened');
    return s;
  }
}

export const paymentsApi: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'payments-api',
    namespace: 'default',
    annotations: {
      'backstage.io/kubernetes-id': 'payments-api',
      'backstage.io/kubernetes-namespace': 'default',
    },
  },
  spec: { type: 'service', lifecycle: 'production', owner: 'team-payments' },
};

export function pod(
  name: string,
  containers: string[],
  extra: Partial<PodSummary> = {},
): PodSummary {
  return {
    cluster: 'sandbox',
    namespace: 'default',
    name,
    phase: 'Running',
    status: 'Running',
    ready: `${containers.length}/${containers.length}`,
    restarts: 0,
    containers: containers.map(c => ({
      name: c,
      kind: 'container',
      image: 'sandbox.local/toolbox:1',
      ready: true,
      restartCount: 0,
      state: 'running',
    })),
    owners: [{ kind: 'ReplicaSet', name: 'payments-api-7c9d' }],
    ...extra,
  };
}

let ts = Date.parse('2024-05-01T10:00:00Z');
export function line(
  podName: string,
  container: string,
  text: string,
): LogStreamMessage {
  ts += 1000;
  return {
    type: 'line',
    cluster: 'sandbox',
    pod: podName,
    container,
    timestamp: new Date(ts).toISOString(),
    text,
  };
}
