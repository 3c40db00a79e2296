/**
 * The HTTP API of the kube-troubleshoot backend, shared by the backend (which produces it) and the
 * frontend (which reads it). All routes live under `/api/kube-troubleshoot` and are scoped to one
 * catalog entity: `/entities/:kind/:namespace/:name/...`.
 */

/** A reference to the object that owns a pod, nearest first (ReplicaSet, then Deployment). */
export interface OwnerSummary {
  kind: string;
  name: string;
}

export type ContainerKind = 'init' | 'container' | 'ephemeral';

/** The last run of a container that ended (`lastState.terminated`). */
export interface ContainerTermination {
  exitCode: number;
  reason?: string;
  message?: string;
  finishedAt?: string;
}

export interface ContainerSummary {
  name: string;
  kind: ContainerKind;
  image: string;
  ready: boolean;
  restartCount: number;
  state: 'waiting' | 'running' | 'terminated' | 'unknown';
  /** e.g. CrashLoopBackOff, ImagePullBackOff, Completed, Error, OOMKilled */
  reason?: string;
  message?: string;
  exitCode?: number;
  startedAt?: string;
  lastTermination?: ContainerTermination;
}

export interface PodSummary {
  cluster: string;
  namespace: string;
  name: string;
  /** The pod phase (Pending, Running, Succeeded, Failed, Unknown). */
  phase: string;
  /** What `kubectl get pods` prints in STATUS (CrashLoopBackOff, Terminating, ...). */
  status: string;
  /** READY as `kubectl get pods` prints it, e.g. `1/2`. */
  ready: string;
  restarts: number;
  createdAt?: string;
  nodeName?: string;
  podIP?: string;
  containers: ContainerSummary[];
  owners: OwnerSummary[];
}

/** The problem talking to one cluster; other clusters' results are still returned. */
export interface ClusterError {
  cluster: string;
  message: string;
  /** HTTP status the cluster answered with, when it answered. */
  statusCode?: number;
}

/** `GET .../pods` */
export interface EntityPodsResponse {
  pods: PodSummary[];
  clusterErrors: ClusterError[];
}

/**
 * `GET .../logs` answers `application/x-ndjson`: one JSON object of this type per line.
 * Lines always carry the kubelet's RFC3339Nano timestamp; the UI decides whether to show it.
 */
export type LogStreamMessage =
  | { type: 'line'; cluster: string; pod: string; container: string; timestamp: string; text: string }
  /** Something the user should know mid-stream: reconnected after an upstream drop, a container ended. */
  | {
      type: 'notice';
      message: string;
      cluster?: string;
      pod?: string;
      container?: string;
      /** Following a container that crashed and was started again: how its previous run ended, and the new run's restart count. */
      restart?: { restartCount: number; exitCode?: number; reason?: string };
    }
  /** The stream failed for one pod/container; others (all-pods mode) go on. */
  | { type: 'error'; message: string; statusCode?: number; cluster?: string; pod?: string; container?: string }
  /** Sent last when the server ends the stream by itself (no follow, or every followed container ended). */
  | { type: 'end' };

/** A core/v1 Event of the entity's pods or of their owners, folded per object, reason and message. */
export interface KubeEvent {
  /** Stable id: the Event's uid. */
  id: string;
  cluster: string;
  namespace: string;
  type: 'Normal' | 'Warning' | string;
  reason: string;
  message: string;
  count: number;
  firstSeen?: string;
  lastSeen?: string;
  object: { kind: string; name: string; fieldPath?: string };
  source?: string;
}

/** `GET .../events` (without `watch`). Newest first. */
export interface EntityEventsResponse {
  events: KubeEvent[];
  clusterErrors: ClusterError[];
}

/**
 * `GET .../events?watch=true` answers `application/x-ndjson` of these: first a `snapshot` (the same
 * list as without `watch`), then `upsert`/`delete` as events change. After a watch expiry the
 * server relists and sends only the differences, never a duplicate.
 */
export type EventStreamMessage =
  | { type: 'snapshot'; events: KubeEvent[]; clusterErrors: ClusterError[] }
  | { type: 'upsert'; event: KubeEvent }
  | { type: 'delete'; id: string }
  | { type: 'error'; message: string; cluster?: string; statusCode?: number };

export type DiagnosisSeverity = 'ok' | 'info' | 'warning' | 'error';

/** A plain-language verdict about one pod, with the next step to take. */
export interface PodDiagnosis {
  cluster: string;
  namespace: string;
  pod: string;
  severity: DiagnosisSeverity;
  /** Short verdict, e.g. `search-indexer crashes on start (exit code 1) and is restarting in a back-off loop`. */
  verdict: string;
  /** What to do next. */
  nextStep: string;
  /** Supporting facts: the image, the error text, the last log lines of the previous container... */
  details: string[];
  container?: string;
}

/** `GET .../diagnosis` */
export interface EntityDiagnosisResponse {
  pods: PodDiagnosis[];
  clusterErrors: ClusterError[];
}

/** CPU (cores) and memory (bytes) at one moment, as metrics.k8s.io reports a container's usage. */
export interface UsageSample {
  at: string;
  cpuCores: number;
  memoryBytes: number;
}

/** What a container asks for and may use, in cores and bytes; absent when not set. */
export interface ResourceAmounts {
  cpuCores?: number;
  memoryBytes?: number;
}

export interface ContainerMetrics {
  name: string;
  requests: ResourceAmounts;
  limits: ResourceAmounts;
  /** The latest sample; absent until the metrics API has one. */
  usage?: UsageSample;
  /** The samples of the last minutes the backend kept, oldest first. */
  history: UsageSample[];
  peakMemoryBytes?: number;
  /** Memory in use is at least 90% of the limit: it is about to be OOM-killed. */
  nearMemoryLimit: boolean;
}

export interface PodMetrics {
  cluster: string;
  namespace: string;
  pod: string;
  containers: ContainerMetrics[];
}

/** `GET .../metrics`: per pod and container, usage against requests and limits, with its recent history. */
export interface EntityMetricsResponse {
  pods: PodMetrics[];
  /** How far back history goes, and how often it is sampled. */
  windowSeconds: number;
  intervalSeconds: number;
  /** Clusters whose metrics API could not be read (not installed: 404; not allowed: 403). */
  clusterErrors: ClusterError[];
}

/** Query parameters of `GET .../logs`. */
export interface LogsQuery {
  cluster?: string;
  /** Omitted: every pod of the entity, merged in time order. */
  pod?: string;
  /** Omitted: every container of the pod(s). */
  container?: string;
  follow?: boolean;
  previous?: boolean;
  tailLines?: number;
  sinceSeconds?: number;
  sinceTime?: string;
  /** With sinceTime (or alone): only lines up to this instant, RFC3339; not with follow. */
  untilTime?: string;
  /** Stream the whole log as a text file (Content-Disposition: attachment). */
  download?: boolean;
  /** With download: prefix each line with its timestamp. */
  timestamps?: boolean;
}

/** The path of an entity's routes, relative to the plugin's base URL. */
export function entityPath(entity: { kind: string; namespace?: string; name: string }): string {
  const ns = entity.namespace ?? 'default';
  return `/entities/${encodeURIComponent(entity.kind.toLocaleLowerCase('en-US'))}/${encodeURIComponent(
    ns.toLocaleLowerCase('en-US'),
  )}/${encodeURIComponent(entity.name.toLocaleLowerCase('en-US'))}`;
}

/** The annotations that tie an entity to its workloads (same as the official Kubernetes plugin). */
export const KUBERNETES_ID_ANNOTATION = 'backstage.io/kubernetes-id';
export const KUBERNETES_LABEL_SELECTOR_ANNOTATION = 'backstage.io/kubernetes-label-selector';
export const KUBERNETES_NAMESPACE_ANNOTATION = 'backstage.io/kubernetes-namespace';

/** Whether an entity has the annotations the tabs need. */
export function hasKubernetesAnnotations(entity: { metadata: { annotations?: Record<string, string> } }): boolean {
  const a = entity.metadata.annotations ?? {};
  return Boolean(a[KUBERNETES_ID_ANNOTATION] || a[KUBERNETES_LABEL_SELECTOR_ANNOTATION]);
}

/** `POST /entities/:kind/:namespace/:name/sessions`: open a terminal on one of the entity's containers. */
export interface CreateSessionRequest {
  /** One of the configured cluster names. */
  cluster: string;
  /** A pod name (DNS-1123 subdomain) of one of the entity's pods or of the caller's pod copies. */
  pod: string;
  /** A container name (DNS-1123 label) of that pod. */
  container: string;
  /** The pod's namespace (DNS-1123 label); when given, the pod must be in it. */
  namespace?: string;
}

export interface CreateSessionResponse {
  /** Single use, valid until `expiresAt` (at most 30 s). */
  ticket: string;
  expiresAt: string;
  /** Path of the WebSocket to open, relative to the backend's base URL (`/api/kube-troubleshoot/...`). */
  path: string;
  /**
   * Pass to `new WebSocket(url, [...protocols, bearerProtocol(token)])`: the terminal protocol and
   * the ticket; the caller adds its own Backstage token, which must be the ticket's user's.
   */
  protocols: string[];
  /** The cluster is marked production: the shell runs as a normal user. */
  production: boolean;
}

export type RecordingKind = 'terminal' | 'debug';

export interface RecordingSummary {
  id: string;
  kind: RecordingKind;
  /** The user's entity ref, e.g. `user:default/alice`. */
  user: string;
  entityRef: string;
  cluster: string;
  namespace: string;
  pod: string;
  container: string;
  command: string;
  production: boolean;
  startedAt: string;
  endedAt?: string;
  bytesIn: number;
  bytesOut: number;
  exitCode?: number;
  endReason?: import('./terminalProtocol').SessionEndReason;
  /** Who watched the session live (user entity refs, in the order they first joined). */
  watchers?: string[];
  /** With a `command` filter: the session's commands that matched it (the first few). */
  matches?: RecordingCommand[];
}

/**
 * One command run in a recorded session. `shell`: named by the shell itself (bash under the
 * session's shell integration), with its exit status; `input`: the line typed at the prompt (a
 * shell that cannot be instrumented), with the status when the prompt reports it.
 */
export interface RecordingCommand {
  /** Seconds from the recording's start, as its asciicast events count them. */
  at: number;
  command: string;
  exitCode?: number;
  source: 'shell' | 'input';
}

/** One running session of an entity that the caller may watch (its owner shared it), or the caller's own. */
export interface LiveSessionSummary {
  sessionId: string;
  kind: RecordingKind;
  /** The owner's user entity ref. */
  user: string;
  entityRef: string;
  cluster: string;
  namespace: string;
  pod: string;
  container: string;
  production: boolean;
  startedAt: string;
  shared: boolean;
}

/** `GET /entities/:kind/:namespace/:name/sessions/live` */
export interface LiveSessionListResponse {
  items: LiveSessionSummary[];
}

/**
 * `POST /entities/:kind/:namespace/:name/sessions/:sessionId/watch`: how to open a shared session's
 * WebSocket read-only (a single-use attach token in `protocols`).
 */
export interface WatchSessionResponse {
  expiresAt: string;
  path: string;
  protocols: string[];
  /** `moderator` when the caller may also end the session (kube-troubleshoot.sessions.terminate). */
  role: 'watcher' | 'moderator';
  session: LiveSessionSummary;
}

/**
 * The query of `GET /recordings` (`GET /entities/:kind/:namespace/:name/recordings` takes it
 * without `entity`). Every filter narrows the list; a user without recordings.read sees only theirs.
 */
export interface RecordingListQuery {
  /** An entity ref, e.g. `component:default/payments-api`. */
  entity?: string;
  /** A user entity ref, e.g. `user:default/alice`. */
  user?: string;
  cluster?: string;
  production?: boolean;
  /** Text that some command of the session contains, in any case (the command index). */
  command?: string;
  /** RFC 3339 times the session started between. */
  from?: string;
  to?: string;
  /** 1 to 500; 100 by default. */
  limit?: number;
}

/** `GET /recordings` and `GET /entities/:kind/:namespace/:name/recordings`. */
export interface RecordingListResponse {
  items: RecordingSummary[];
  /** Whether the caller sees everyone's recordings (kube-troubleshoot.recordings.read) or only their own. */
  scope: 'all' | 'own';
}

/** `GET /recordings/:id`: one recording's summary and its asciicast v2 text. */
export interface RecordingResponse extends RecordingSummary {
  cast: string;
  /** The session's command index, in order. */
  commands: RecordingCommand[];
}

/** `GET .../files`: a file or folder of one container, as a tar stream. */
export interface FileDownloadQuery {
  cluster: string;
  pod: string;
  container: string;
  /** An absolute path inside the container, without `..`. */
  path: string;
  namespace?: string;
}

/** `GET /health` */
export interface HealthResponse {
  status: 'ok';
}

/** `GET .../debug/options`: what the Debug tab may offer. */
export interface DebugOptionsResponse {
  images: Array<{ name: string; image: string; description: string; default: boolean }>;
  /** Per cluster: whether it is production, and the kubectl-debug profiles offered there. */
  clusters: Record<string, { production: boolean; profiles: string[] }>;
  forkTtlSeconds: number;
}

/** `POST .../debug`: a tool container in the target container's namespaces. */
export interface StartDebugRequest {
  cluster: string;
  pod: string;
  targetContainer: string;
  /** The pod's namespace; when given, the pod must be in it. */
  namespace?: string;
  /** An image name from the options (the default when left out). */
  image?: string;
  profile?: string;
  /** Attach to a running debug container of the same user, target and image (default true). */
  reuse?: boolean;
}

export interface StartDebugResponse extends CreateSessionResponse {
  container: string;
  reused: boolean;
  image: string;
  profile: string;
  note: string;
}

/** A pod copy made by the Debug tab. */
export interface ForkSummary {
  cluster: string;
  namespace: string;
  name: string;
  forkOf: string;
  user: string;
  expiresAt: string;
  phase: string;
}

/** `GET .../forks`: the caller's own copies of the entity's pods. */
export interface ForkListResponse {
  items: ForkSummary[];
}

/** `POST .../forks` `{cluster, pod, container}`: the copy, and a ticket to a shell in it. */
export interface CreateForkResponse extends CreateSessionResponse {
  fork: ForkSummary;
  /** The container's own command and arguments (empty: the image's entrypoint), to run by hand. */
  originalCommand: string[];
}
