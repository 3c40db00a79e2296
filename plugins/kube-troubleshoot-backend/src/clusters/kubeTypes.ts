/** The parts of Kubernetes objects the plugin reads, as they come over the wire (times are strings). */
export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: Array<{ kind: string; name: string; uid: string; controller?: boolean }>;
  finalizers?: string[];
}

export type ContainerStateJson = {
  waiting?: { reason?: string; message?: string };
  running?: { startedAt?: string };
  terminated?: { exitCode: number; reason?: string; message?: string; startedAt?: string; finishedAt?: string };
};

export interface ContainerStatusJson {
  name: string;
  ready: boolean;
  restartCount: number;
  image: string;
  state?: ContainerStateJson;
  lastState?: ContainerStateJson;
}

export interface EnvVarJson {
  name: string;
  value?: string;
  [field: string]: unknown;
}

/**
 * A container of any kind. The fields the plugin reads are named; the rest are carried as they
 * came, so a pod copy keeps every field of the original.
 */
export interface ContainerJson {
  name: string;
  image?: string;
  command?: string[];
  args?: string[];
  env?: EnvVarJson[];
  /** Ephemeral containers: whose process namespace they joined. */
  targetContainerName?: string;
  [field: string]: unknown;
}

/** The one pod type of the plugin: what the API server sends, as far as the plugin reads it. */
export interface PodJson {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  spec: {
    containers: ContainerJson[];
    initContainers?: ContainerJson[];
    ephemeralContainers?: ContainerJson[];
    nodeName?: string;
    [field: string]: unknown;
  };
  status?: {
    phase?: string;
    reason?: string;
    message?: string;
    podIP?: string;
    conditions?: Array<{ type: string; status: string; reason?: string; message?: string }>;
    containerStatuses?: ContainerStatusJson[];
    initContainerStatuses?: ContainerStatusJson[];
    ephemeralContainerStatuses?: ContainerStatusJson[];
  };
}

export interface EventJson {
  metadata: ObjectMeta;
  involvedObject: { kind?: string; name?: string; namespace?: string; uid?: string; fieldPath?: string };
  reason?: string;
  message?: string;
  type?: string;
  count?: number;
  firstTimestamp?: string | null;
  lastTimestamp?: string | null;
  eventTime?: string | null;
  series?: { count?: number; lastObservedTime?: string };
  source?: { component?: string; host?: string };
  reportingComponent?: string;
}

export interface ListJson<T> {
  metadata: { resourceVersion?: string };
  items: T[];
}

export const allContainers = (pod: PodJson) => [
  ...(pod.spec.initContainers ?? []),
  ...pod.spec.containers,
  ...(pod.spec.ephemeralContainers ?? []),
];
