import { KubeObject } from './types';

/** The parts of core/v1 Pod the sandbox reads or writes. */
export interface ContainerSpec {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  env?: Array<{ name: string; value?: string }>;
  workingDir?: string;
  imagePullPolicy?: string;
  /** Quantities: strings, or the plain JSON numbers the apiserver also accepts (stored as strings). */
  resources?: { requests?: Record<string, string | number>; limits?: Record<string, string | number>; [key: string]: unknown };
  [key: string]: unknown;
}

export type ContainerState =
  | { waiting: { reason: string; message?: string } }
  | { running: { startedAt: string } }
  | {
      terminated: {
        exitCode: number;
        signal?: number;
        reason: string;
        message?: string;
        startedAt: string;
        finishedAt: string;
        containerID?: string;
      };
    };

export interface ContainerStatus {
  name: string;
  state: ContainerState;
  lastState: ContainerState | Record<string, never>;
  ready: boolean;
  restartCount: number;
  image: string;
  imageID: string;
  containerID?: string;
  started: boolean;
}

export interface PodCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  lastProbeTime: null;
  lastTransitionTime: string;
  reason?: string;
  message?: string;
}

export interface Pod extends KubeObject {
  spec: {
    containers: ContainerSpec[];
    initContainers?: ContainerSpec[];
    ephemeralContainers?: ContainerSpec[];
    nodeName?: string;
    nodeSelector?: Record<string, string>;
    restartPolicy?: 'Always' | 'OnFailure' | 'Never';
    terminationGracePeriodSeconds?: number;
    [key: string]: unknown;
  };
  status?: {
    phase?: string;
    conditions?: PodCondition[];
    hostIP?: string;
    podIP?: string;
    podIPs?: Array<{ ip: string }>;
    startTime?: string;
    containerStatuses?: ContainerStatus[];
    initContainerStatuses?: ContainerStatus[];
    qosClass?: string;
    [key: string]: unknown;
  };
}

/** Every container name of the pod in the apiserver's order: init, regular, ephemeral. */
export function allContainerNames(pod: Pod): string[] {
  return [
    ...(pod.spec.initContainers ?? []),
    ...pod.spec.containers,
    ...(pod.spec.ephemeralContainers ?? []),
  ].map(c => c.name);
}
