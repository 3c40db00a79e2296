import { ChildProcess, spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { ObjectStore } from '../store/ObjectStore';
import { ContainerSpec, ContainerState, ContainerStatus, Pod, PodCondition } from '../store/pod';
import { KubeObject } from '../store/types';
import { kubeTime } from './clock';
import { ContainerProcess } from './ContainerProcess';
import { EventRecorder, referenceTo } from './EventRecorder';
import { pullError, resolveImage } from './images';
import { SANDBOX_ENV } from './processes';

export interface KubeletOptions {
  nodeName: string;
  nodeLabels: Record<string, string>;
  /** Where container logs live; removed on stop. */
  dataDir: string;
  /** Marks every container process, so leftovers can be found (tests) and nothing is mistaken for ours. */
  sandboxId: string;
  /** CrashLoopBackOff / ImagePullBackOff start (kubelet: 10 s) and cap (kubelet: 300 s). */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** Simulated image pull time. */
  pullDelayMs?: number;
}

interface ContainerRun {
  spec: ContainerSpec;
  /** Number of the current container instance; also the restart count once started. */
  instance: number;
  started: boolean;
  process?: ContainerProcess;
  state: ContainerState;
  lastState: ContainerState | Record<string, never>;
  nextBackoffMs: number;
  timer?: NodeJS.Timeout;
  containerID?: string;
}

interface PodRun {
  namespace: string;
  name: string;
  uid: string;
  dir: string;
  podIP: string;
  startTime: string;
  containers: Map<string, ContainerRun>;
  /** Processes started by exec, killed with the pod. */
  execs: Set<ChildProcess>;
  stopping: boolean;
}

/** What the log endpoint needs to serve one container's log. */
export interface LogTarget {
  file: string;
  /** The running process to follow; undefined when the container is not running. */
  live?: ContainerProcess;
}

export class KubeletError extends Error {
  constructor(readonly code: 400 | 404, message: string) {
    super(message);
  }
}

/**
 * Scheduler and kubelet of the sandbox's single node: binds pods, "pulls" images, runs containers
 * as real processes, restarts them with back-off and keeps pod status and Events as a kubelet does.
 */
export class Kubelet extends EventEmitter {
  private readonly pods = new Map<string, PodRun>();
  private readonly pulled = new Set<string>();
  private readonly events: EventRecorder;
  private ipCounter = 10;
  private stopped = false;

  constructor(private readonly store: ObjectStore, private readonly opts: KubeletOptions) {
    super();
    this.events = new EventRecorder(store);
    fs.mkdirSync(path.join(opts.dataDir, 'pods'), { recursive: true });
  }

  private get backoffBase() {
    return this.opts.backoffBaseMs ?? 10_000;
  }

  private source() {
    return { component: 'kubelet', host: this.opts.nodeName };
  }

  /** Schedules a pod that was just created and starts its containers. */
  admit(pod: Pod) {
    if (this.stopped) return;
    const unfit = Object.entries(pod.spec.nodeSelector ?? {}).some(([k, v]) => this.opts.nodeLabels[k] !== v);
    if (unfit) {
      const message =
        "0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.";
      this.updatePod(pod, p => {
        p.status = {
          phase: 'Pending',
          conditions: [condition('PodScheduled', 'False', 'Unschedulable', message)],
          qosClass: 'BestEffort',
        };
      });
      this.events.record(referenceTo(pod), 'Warning', 'FailedScheduling', message, { component: 'default-scheduler' });
      return;
    }
    const bound = this.updatePod(pod, p => {
      p.spec.nodeName = this.opts.nodeName;
    });
    if (!bound) return;
    this.events.record(
      referenceTo(bound),
      'Normal',
      'Scheduled',
      `Successfully assigned ${pod.metadata.namespace}/${pod.metadata.name} to ${this.opts.nodeName}`,
      { component: 'default-scheduler' },
    );
    const run: PodRun = {
      namespace: pod.metadata.namespace!,
      name: pod.metadata.name,
      uid: pod.metadata.uid!,
      dir: path.join(this.opts.dataDir, 'pods', `${pod.metadata.namespace}_${pod.metadata.name}_${pod.metadata.uid}`),
      podIP: `10.244.0.${this.ipCounter++}`,
      startTime: kubeTime(),
      containers: new Map(),
      execs: new Set(),
      stopping: false,
    };
    for (const spec of pod.spec.containers) {
      fs.mkdirSync(path.join(run.dir, spec.name), { recursive: true });
      run.containers.set(spec.name, {
        spec,
        instance: 0,
        started: false,
        state: { waiting: { reason: 'ContainerCreating' } },
        lastState: {},
        nextBackoffMs: this.backoffBase,
      });
    }
    this.pods.set(key(run.namespace, run.name), run);
    this.syncStatus(run);
    for (const c of run.containers.values()) this.pullAndStart(run, c);
  }

  private pullAndStart(run: PodRun, c: ContainerRun) {
    const image = c.spec.image;
    const ref = this.ref(run, c);
    if (!ref) return;
    const info = resolveImage(image);
    if (this.pulled.has(image) && c.spec.imagePullPolicy !== 'Always') {
      this.events.record(ref, 'Normal', 'Pulled', `Container image "${image}" already present on machine`, this.source());
      this.startContainer(run, c);
      return;
    }
    this.events.record(ref, 'Normal', 'Pulling', `Pulling image "${image}"`, this.source());
    const delay = this.opts.pullDelayMs ?? 150;
    c.timer = setTimeout(() => {
      if (run.stopping) return;
      if (!info) {
        const err = pullError(image);
        this.events.record(ref, 'Warning', 'Failed', `Failed to pull image "${image}": ${err}`, this.source());
        this.events.record(ref, 'Warning', 'Failed', 'Error: ErrImagePull', this.source());
        c.state = { waiting: { reason: 'ErrImagePull', message: err } };
        this.syncStatus(run);
        c.timer = setTimeout(() => {
          if (run.stopping) return;
          this.events.record(ref, 'Normal', 'BackOff', `Back-off pulling image "${image}"`, this.source());
          this.events.record(ref, 'Warning', 'Failed', 'Error: ImagePullBackOff', this.source());
          c.state = { waiting: { reason: 'ImagePullBackOff', message: `Back-off pulling image "${image}": ErrImagePull: ${err}` } };
          this.syncStatus(run);
          c.timer = setTimeout(() => this.pullAndStart(run, c), this.nextBackoff(c));
        }, Math.min(this.backoffBase, 2000));
        return;
      }
      this.pulled.add(image);
      this.events.record(
        ref,
        'Normal',
        'Pulled',
        `Successfully pulled image "${image}" in ${delay}ms (${delay}ms including waiting). Image size: ${info.sizeBytes} bytes.`,
        this.source(),
      );
      this.startContainer(run, c);
    }, delay);
  }

  private nextBackoff(c: ContainerRun): number {
    const ms = c.nextBackoffMs;
    c.nextBackoffMs = Math.min(ms * 2, this.opts.backoffMaxMs ?? 300_000);
    return ms;
  }

  private async startContainer(run: PodRun, c: ContainerRun) {
    if (run.stopping || this.stopped) return;
    const ref = this.ref(run, c)!;
    const info = resolveImage(c.spec.image)!;
    const argv = c.spec.command?.length ? [...c.spec.command, ...(c.spec.args ?? [])] : [...info.entrypoint, ...(c.spec.args ?? [])];
    const env = this.containerEnv(run, c);
    c.containerID = `containerd://${randomBytes(32).toString('hex')}`;
    const proc = new ContainerProcess({
      argv,
      env,
      cwd: c.spec.workingDir,
      logFile: path.join(run.dir, c.spec.name, `${c.instance}.log`),
    });
    c.process = proc;
    this.events.record(ref, 'Normal', 'Created', `Created container: ${c.spec.name}`, this.source());
    const startedAt = kubeTime();
    const error = await proc.start();
    if (error) {
      const message = `failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: "${argv[0]}": executable file not found in $PATH: unknown`;
      this.events.record(ref, 'Warning', 'Failed', `Error: ${message}`, this.source());
      this.onExit(run, c, { exitCode: 128 }, startedAt, 'StartError', message);
      return;
    }
    c.started = true;
    c.state = { running: { startedAt } };
    this.events.record(ref, 'Normal', 'Started', `Started container ${c.spec.name}`, this.source());
    this.syncStatus(run);
    proc.once('exit', info2 => this.onExit(run, c, info2, startedAt));
  }

  private onExit(run: PodRun, c: ContainerRun, info: { exitCode: number }, startedAt: string, reason?: string, message?: string) {
    if (this.stopped) return;
    const terminated: ContainerState = {
      terminated: {
        exitCode: info.exitCode,
        reason: reason ?? (info.exitCode === 0 ? 'Completed' : 'Error'),
        ...(message ? { message } : {}),
        startedAt,
        finishedAt: kubeTime(),
        containerID: c.containerID,
      },
    };
    c.process = undefined;
    if (run.stopping) {
      c.state = terminated;
      return;
    }
    const policy = this.podPolicy(run);
    const restart = policy === 'Always' || (policy === 'OnFailure' && info.exitCode !== 0);
    if (!restart) {
      c.state = terminated;
      this.syncStatus(run);
      return;
    }
    c.lastState = terminated;
    // The first restart is immediate; later ones wait a doubling back-off, as the kubelet does.
    const delay = c.instance === 0 ? 0 : this.nextBackoff(c);
    if (delay > 0) {
      const podDesc = `${run.name}_${run.namespace}(${run.uid})`;
      c.state = {
        waiting: {
          reason: 'CrashLoopBackOff',
          message: `back-off ${Math.round(delay / 1000)}s restarting failed container=${c.spec.name} pod=${podDesc}`,
        },
      };
      this.events.record(
        this.ref(run, c)!,
        'Warning',
        'BackOff',
        `Back-off restarting failed container ${c.spec.name} in pod ${podDesc}`,
        this.source(),
      );
    } else {
      c.state = terminated;
    }
    this.syncStatus(run);
    c.timer = setTimeout(() => {
      if (run.stopping) return;
      c.instance += 1;
      this.events.record(this.ref(run, c)!, 'Normal', 'Pulled', `Container image "${c.spec.image}" already present on machine`, this.source());
      this.startContainer(run, c);
    }, delay);
  }

  private podPolicy(run: PodRun) {
    const pod = this.store.get<Pod>('pods', run.namespace, run.name);
    return pod?.spec.restartPolicy ?? 'Always';
  }

  private ref(run: PodRun, c: ContainerRun) {
    const pod = this.store.get<Pod>('pods', run.namespace, run.name);
    return pod ? referenceTo(pod, `spec.containers{${c.spec.name}}`) : undefined;
  }

  private updatePod(pod: KubeObject, mutate: (p: Pod) => void): Pod | undefined {
    if (!this.store.get('pods', pod.metadata.namespace, pod.metadata.name)) return undefined;
    return this.store.update<Pod>('pods', pod.metadata.namespace, pod.metadata.name, mutate);
  }

  /** Writes the pod status derived from its containers, as the kubelet's status manager does. */
  private syncStatus(run: PodRun) {
    const pod = this.store.get<Pod>('pods', run.namespace, run.name);
    if (!pod || this.stopped) return;
    const statuses: ContainerStatus[] = [...run.containers.values()].map(c => ({
      name: c.spec.name,
      state: c.state,
      lastState: c.lastState,
      ready: 'running' in c.state,
      restartCount: c.instance,
      image: c.spec.image,
      imageID: this.pulled.has(c.spec.image) ? `${c.spec.image.split(':')[0]}@sha256:${hashOf(c.spec.image)}` : '',
      ...(c.containerID ? { containerID: c.containerID } : {}),
      started: 'running' in c.state,
    }));
    const allRunning = statuses.every(s => 'running' in s.state);
    const allTerminated = statuses.every(s => 'terminated' in s.state);
    const notReady = statuses.filter(s => !s.ready).map(s => s.name);
    let phase = 'Pending';
    if (allTerminated) {
      phase = statuses.every(s => 'terminated' in s.state && s.state.terminated.exitCode === 0) ? 'Succeeded' : 'Failed';
    } else if (statuses.some(s => s.started || s.restartCount > 0 || 'terminated' in s.lastState)) {
      phase = 'Running';
    }
    const readyMsg = notReady.length ? `containers with unready status: [${notReady.join(' ')}]` : undefined;
    const prev = pod.status?.conditions ?? [];
    const cond = (type: string, ok: boolean, reason?: string, message?: string) => {
      const status = ok ? 'True' : 'False';
      const old = prev.find(c => c.type === type);
      const c = condition(type, status, reason, message);
      if (old && old.status === status) c.lastTransitionTime = old.lastTransitionTime;
      return c;
    };
    this.updatePod(pod, p => {
      p.status = {
        phase,
        conditions: [
          cond('PodReadyToStartContainers', true),
          cond('Initialized', true),
          cond('Ready', allRunning, allRunning ? undefined : 'ContainersNotReady', readyMsg),
          cond('ContainersReady', allRunning, allRunning ? undefined : 'ContainersNotReady', readyMsg),
          cond('PodScheduled', true),
        ],
        hostIP: '10.0.0.10',
        hostIPs: [{ ip: '10.0.0.10' }],
        podIP: run.podIP,
        podIPs: [{ ip: run.podIP }],
        startTime: run.startTime,
        containerStatuses: statuses,
        qosClass: 'BestEffort',
      };
    });
  }

  /** The environment of a container's processes (its own and exec'd ones), marked as the sandbox's. */
  private containerEnv(run: PodRun, c: ContainerRun): Record<string, string> {
    const env: Record<string, string> = {
      PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      HOSTNAME: run.name,
      HOME: '/root',
      [SANDBOX_ENV]: this.opts.sandboxId,
    };
    for (const e of c.spec.env ?? []) env[e.name] = e.value ?? '';
    return env;
  }

  /**
   * Starts a process inside a running container (exec): same environment and working directory,
   * marked like the container's own processes, and killed with the pod or the sandbox.
   */
  exec(namespace: string, podName: string, container: string, argv: string[], withStdin: boolean): ChildProcess {
    const run = this.pods.get(key(namespace, podName));
    const c = run?.containers.get(container);
    if (!run || !c) throw new KubeletError(400, `container ${container} is not valid for pod ${podName}`);
    if (!c.process || c.process.exitInfo) {
      throw new KubeletError(400, `unable to upgrade connection: container not found ("${container}")`);
    }
    const env = this.containerEnv(run, c);
    const child = spawn(argv[0], argv.slice(1), {
      env,
      cwd: c.spec.workingDir,
      detached: true,
      stdio: [withStdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    });
    run.execs.add(child);
    child.once('close', () => run.execs.delete(child));
    return child;
  }

  /** How many log follows are attached to running containers (to prove clients let go). */
  followerCount(): number {
    let n = 0;
    for (const run of this.pods.values()) for (const c of run.containers.values()) n += c.process?.listenerCount('entry') ?? 0;
    return n;
  }

  /** Resolves a container's log for the log endpoint, with the kubelet's error texts. */
  logTarget(namespace: string, podName: string, container: string, previous: boolean): LogTarget | undefined {
    const run = this.pods.get(key(namespace, podName));
    if (!run) return undefined; // not scheduled: the apiserver answers with no content
    const c = run.containers.get(container);
    if (!c) throw new KubeletError(400, `container ${container} is not valid for pod ${podName}`);
    if (previous) {
      if (c.instance === 0 || !('terminated' in c.lastState)) {
        throw new KubeletError(400, `previous terminated container "${container}" in pod "${podName}" not found`);
      }
      return { file: path.join(run.dir, container, `${c.instance - 1}.log`) };
    }
    const file = path.join(run.dir, container, `${c.instance}.log`);
    if (!fs.existsSync(file)) {
      const reason = 'waiting' in c.state ? c.state.waiting.reason : 'ContainerCreating';
      throw new KubeletError(400, `container "${container}" in pod "${podName}" is waiting to start: ${reason}`);
    }
    return { file, live: c.process };
  }

  /** Graceful deletion: SIGTERM, then SIGKILL after the grace period; the pod object goes last. */
  async deletePod(namespace: string, name: string, graceSeconds?: number) {
    const run = this.pods.get(key(namespace, name));
    const pod = this.store.get<Pod>('pods', namespace, name);
    if (!pod) return;
    const grace = graceSeconds ?? pod.spec.terminationGracePeriodSeconds ?? 30;
    this.updatePod(pod, p => {
      p.metadata.deletionTimestamp = kubeTime(new Date(Date.now() + grace * 1000));
      p.metadata.deletionGracePeriodSeconds = grace;
    });
    if (run) {
      run.stopping = true;
      const stops: Array<Promise<unknown>> = [];
      for (const c of run.containers.values()) {
        clearTimeout(c.timer);
        if (c.process) {
          this.events.record(referenceTo(pod, `spec.containers{${c.spec.name}}`), 'Normal', 'Killing', `Stopping container ${c.spec.name}`, this.source());
          stops.push(c.process.stop(grace * 1000));
        }
      }
      for (const child of run.execs) killGroup(child);
      await Promise.all(stops);
      this.pods.delete(key(namespace, name));
      fs.rmSync(run.dir, { recursive: true, force: true });
    }
    // With finalizers the object stays, Terminating, until they are removed.
    const current = this.store.get<Pod>('pods', namespace, name);
    if (current && !(current.metadata.finalizers ?? []).length) this.store.delete('pods', namespace, name);
  }

  /** Kills every container process at once and removes all container data. */
  async stop() {
    this.stopped = true;
    const stops: Array<Promise<unknown>> = [];
    for (const run of this.pods.values()) {
      run.stopping = true;
      for (const child of run.execs) killGroup(child);
      for (const c of run.containers.values()) {
        clearTimeout(c.timer);
        if (c.process) stops.push(c.process.stop(0));
      }
    }
    await Promise.all(stops);
    this.pods.clear();
    fs.rmSync(this.opts.dataDir, { recursive: true, force: true });
  }
}

function killGroup(child: ChildProcess) {
  try {
    if (child.pid) process.kill(-child.pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

function key(namespace: string, name: string) {
  return `${namespace}/${name}`;
}

function hashOf(text: string) {
  let h = 0n;
  for (const ch of text) h = (h * 131n + BigInt(ch.charCodeAt(0))) % (1n << 256n);
  return h.toString(16).padStart(64, '0');
}

function condition(type: string, status: 'True' | 'False', reason?: string, message?: string): PodCondition {
  return {
    type,
    status,
    lastProbeTime: null,
    lastTransitionTime: kubeTime(),
    ...(reason ? { reason } : {}),
    ...(message ? { message } : {}),
  };
}
