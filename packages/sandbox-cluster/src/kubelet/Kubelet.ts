import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { ObjectStore } from '../store/ObjectStore';
import { ContainerSpec, ContainerState, ContainerStatus, Pod, PodCondition } from '../store/pod';
import { KubeObject } from '../store/types';
import { kubeTime } from './clock';
import { ContainerProcess, killGroup, killPid } from './ContainerProcess';
import { EventRecorder, referenceTo } from './EventRecorder';
import { pullError, resolveImage } from './images';
import { CONTAINER_ENV, EXEC_ENV, findProcessesWithEnv, POD_ENV, SANDBOX_ENV } from './processes';
import { containerUser } from './securityContext';
import { attachEndpoint, execEndpoint, failedExec, StreamEndpoint } from './streams';
import { Isolation } from './runtime/isolation';
import { containerArgv, dieWithParent, execArgv, podSandboxArgv } from './runtime/namespaces';
import { onPath } from './runtime/isolation';
import { PTY_ENV, withPty } from './runtime/pty';
import { LimitedContainer, MemoryLimiter, openMemoryLimiter } from './runtime/memoryLimit';
import { parseQuantity } from '../api/quantity';
import { podQosClass } from '../api/qos';
import { probeTiming, ProbeResult, ProbeSpec, runProbe } from './probes';
import { findExecutable, hostPathOf, mountScript, planRoot, prepareRoot, RootPlan } from './runtime/rootfs';

export interface KubeletOptions {
  nodeName: string;
  nodeLabels: Record<string, string>;
  /** Where container logs and roots live; removed on stop. */
  dataDir: string;
  /** Marks every container process, so leftovers can be found (tests) and nothing is mistaken for ours. */
  sandboxId: string;
  /** Whether containers get namespaces and their own root (root on Linux) or are plain processes. */
  isolation: Isolation;
  /** CrashLoopBackOff / ImagePullBackOff start (kubelet: 10 s) and cap (kubelet: 300 s). */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** Simulated image pull time. */
  pullDelayMs?: number;
  /** Memory limits: `auto` (default) in a cgroup where one can be made, else by a watchdog; or always by the watchdog. */
  memoryEnforcement?: 'auto' | 'watchdog';
}

type ContainerKind = 'containers' | 'ephemeralContainers';

interface ContainerRun {
  kind: ContainerKind;
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
  /** The root of the running instance (isolated containers). */
  root?: { dir: string; plan: RootPlan };
  user?: { uid: number; gid: number; home: string };
  /** Whether an attach has already used the stdin of a `stdinOnce` container. */
  stdinUsed?: boolean;
  /** The running instance's memory limit, when it has one. */
  memory?: LimitedContainer;
  /** The readiness probe's verdict; undefined without one (then running is ready). */
  readinessOk?: boolean;
  /** Stops the running instance's probes. */
  stopProbes?: () => void;
}

interface PodRun {
  namespace: string;
  name: string;
  uid: string;
  dir: string;
  podIP: string;
  startTime: string;
  containers: Map<string, ContainerRun>;
  ephemeral: Map<string, ContainerRun>;
  /** Holder of the pod's uts, ipc (and shared pid) namespaces, like the pause container. */
  sandbox?: ChildProcess;
  /** Resolves to the pid whose namespaces the pod's containers join. */
  sandboxReady?: Promise<number | undefined>;
  /** Processes started by exec, killed with the pod. */
  execs: Set<ChildProcess>;
  stopping: boolean;
  deadline?: NodeJS.Timeout;
  /** Set when the kubelet failed the pod as a whole (activeDeadlineSeconds). */
  failed?: { reason: string; message: string };
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

export interface ExecRequest {
  argv: string[];
  stdin: boolean;
  tty: boolean;
}

/**
 * Scheduler and kubelet of the sandbox's single node: binds pods, "pulls" images, runs containers
 * as real processes (in their own namespaces and root when it can), restarts them with back-off,
 * runs ephemeral containers, exec and attach, and keeps pod status and Events as a kubelet does.
 */
export class Kubelet extends EventEmitter {
  private readonly pods = new Map<string, PodRun>();
  private readonly pulled = new Set<string>();
  private readonly events: EventRecorder;
  private ipCounter = 10;
  private execCounter = 0;
  private stopped = false;
  /** Enforces the containers' memory limits. */
  readonly memory: MemoryLimiter;

  constructor(private readonly store: ObjectStore, private readonly opts: KubeletOptions) {
    super();
    this.events = new EventRecorder(store);
    fs.mkdirSync(path.join(opts.dataDir, 'pods'), { recursive: true });
    this.memory = openMemoryLimiter({ sandboxId: opts.sandboxId, mode: opts.memoryEnforcement });
  }

  get isolated() {
    return this.opts.isolation.isolated;
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
          qosClass: podQosClass(pod),
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
      ephemeral: new Map(),
      execs: new Set(),
      stopping: false,
    };
    for (const spec of pod.spec.containers) run.containers.set(spec.name, this.newRun('containers', spec, run));
    this.pods.set(key(run.namespace, run.name), run);
    if (this.isolated) this.startSandbox(run);
    const deadline = pod.spec.activeDeadlineSeconds;
    if (typeof deadline === 'number' && deadline > 0) {
      run.deadline = setTimeout(() => void this.failDeadline(run), deadline * 1000);
    }
    this.syncStatus(run);
    for (const c of run.containers.values()) this.pullAndStart(run, c);
  }

  private newRun(kind: ContainerKind, spec: ContainerSpec, run: PodRun): ContainerRun {
    fs.mkdirSync(path.join(run.dir, spec.name), { recursive: true });
    return {
      kind,
      spec,
      instance: 0,
      started: false,
      state: { waiting: { reason: 'ContainerCreating' } },
      lastState: {},
      nextBackoffMs: this.backoffBase,
    };
  }

  /** Starts the pod's namespace holder; its pid 1 (a sleeping shell) keeps uts, ipc and pid alive. */
  private startSandbox(run: PodRun) {
    const argv = this.guard(podSandboxArgv(run.name));
    const child = spawn(argv[0], argv.slice(1), {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...this.markers(run) },
      detached: true,
      stdio: 'ignore',
    });
    run.sandbox = child;
    child.once('error', () => undefined);
    run.sandboxReady = (async () => {
      for (let i = 0; i < 400; i++) {
        const init = child.pid ? firstChild(child.pid) : undefined;
        if (init) return init;
        if (child.exitCode !== null) return undefined;
        await new Promise(r => setTimeout(r, 5));
      }
      return undefined;
    })();
  }

  private readonly hasSetpriv = onPath('setpriv');
  /** coreutils 8.31+: a container's pid 1 starts with default signal handling (probed once, when isolated). */
  private hasDefaultSignalCache?: boolean;
  private get hasDefaultSignal() {
    this.hasDefaultSignalCache ??= spawnSync('env', ['--default-signal', 'true'], { stdio: 'ignore' }).status === 0;
    return this.hasDefaultSignalCache;
  }

  /** Every process the kubelet starts dies with the sandbox. */
  private guard(argv: string[]): string[] {
    return dieWithParent(argv, this.hasSetpriv);
  }

  private markers(run: PodRun): Record<string, string> {
    return { [SANDBOX_ENV]: this.opts.sandboxId, [POD_ENV]: run.uid };
  }

  private pullAndStart(run: PodRun, c: ContainerRun) {
    const image = c.spec.image;
    const ref = this.ref(run, c);
    if (!ref) return;
    const info = resolveImage(image);
    if (this.pulled.has(image) && c.spec.imagePullPolicy !== 'Always') {
      this.events.record(ref, 'Normal', 'Pulled', `Container image "${image}" already present on machine`, this.source());
      void this.startContainer(run, c);
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
      void this.startContainer(run, c);
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
    const pod = this.store.get<Pod>('pods', run.namespace, run.name)!;
    const info = resolveImage(c.spec.image)!;
    const argv = c.spec.command?.length ? [...c.spec.command, ...(c.spec.args ?? [])] : [...info.entrypoint, ...(c.spec.args ?? [])];
    const logFile = path.join(run.dir, c.spec.name, `${c.instance}.log`);
    let spawnArgv = argv;
    let missing: string | undefined;
    if (this.isolated) {
      // A fresh root per instance, as a restarted container gets a fresh writable layer.
      const dir = path.join(run.dir, c.spec.name, `root-${c.instance}`);
      for (const old of fs.readdirSync(path.join(run.dir, c.spec.name))) {
        if (old.startsWith('root-')) fs.rmSync(path.join(run.dir, c.spec.name, old), { recursive: true, force: true });
      }
      const plan = planRoot(info.root);
      prepareRoot(plan, dir);
      c.root = { dir, plan };
    }
    const user = containerUser(pod, c.spec, this.passwdOf(c));
    if ('error' in user) {
      this.events.record(ref, 'Warning', 'Failed', `Error: ${user.error}`, this.source());
      c.state = { waiting: { reason: 'CreateContainerConfigError', message: user.error } };
      this.syncStatus(run);
      return;
    }
    c.user = user;
    const env = this.containerEnv(run, c);
    if (c.root) {
      if (!findExecutable(c.root.plan, c.root.dir, argv[0], env.PATH)) missing = argv[0];
      const podPid = await run.sandboxReady;
      if (run.stopping || this.stopped) return;
      // A debug container joins its target's pid namespace; with shareProcessNamespace, all join the pod's.
      const target = c.spec.targetContainerName ? run.containers.get(String(c.spec.targetContainerName))?.process?.initPid : undefined;
      const shared = pod.spec.shareProcessNamespace ? podPid : undefined;
      const pidOf = c.kind === 'ephemeralContainers' ? target ?? shared : shared;
      const script = mountScript(c.root.plan, c.root.dir, { workingDir: c.spec.workingDir ?? '/', uid: user.uid, gid: user.gid, tty: Boolean(c.spec.tty) });
      spawnArgv = containerArgv({ podPid: podPid ?? 0, pidOf }, script, argv, this.hasDefaultSignal);
    } else {
      // Plain processes: paths of the image's own files are where the host keeps them.
      const plan = planRoot(info.root);
      spawnArgv = argv.map(a => (a.startsWith('/') && plan.binds.some(b => a === b.target) ? hostPathOf(plan, '/', a) : a));
    }
    c.containerID = `containerd://${randomBytes(32).toString('hex')}`;
    this.events.record(ref, 'Normal', 'Created', `Created container: ${c.spec.name}`, this.source());
    const startedAt = kubeTime();
    if (missing) {
      this.startFailed(run, c, argv[0], startedAt);
      return;
    }
    const memoryLimit = c.kind === 'containers' ? c.spec.resources?.limits?.memory : undefined;
    if (memoryLimit !== undefined) {
      c.memory = this.memory.limit(`${run.uid}_${c.spec.name}_${c.instance}`, env[CONTAINER_ENV], parseQuantity(memoryLimit));
      spawnArgv = c.memory.wrap(spawnArgv);
    }
    const proc = new ContainerProcess({
      argv: spawnArgv,
      guard: a => this.guard(a),
      env,
      cwd: this.isolated ? undefined : c.spec.workingDir,
      logFile,
      stdin: Boolean(c.spec.stdin),
      tty: Boolean(c.spec.tty),
      isolated: this.isolated,
    });
    if (await proc.start()) {
      this.startFailed(run, c, argv[0], startedAt);
      return;
    }
    c.process = proc;
    c.started = true;
    c.state = { running: { startedAt } };
    this.events.record(ref, 'Normal', 'Started', `Started container ${c.spec.name}`, this.source());
    if (c.kind === 'containers') this.startProbes(run, c, proc);
    this.syncStatus(run);
    // A short-lived command may have ended while the start was confirmed.
    if (proc.exitInfo) this.onExit(run, c, proc.exitInfo, startedAt);
    else proc.once('exit', info2 => this.onExit(run, c, info2, startedAt));
    if (run.stopping) void proc.stop(0); // deleted while it started
  }

  /**
   * The prober of one container instance: readiness decides `ready` (false until it passes),
   * liveness restarts the container after `failureThreshold` failures in a row; each failure is a
   * Warning `Unhealthy` event with the probe's answer, as the kubelet records it.
   */
  private startProbes(run: PodRun, c: ContainerRun, proc: ContainerProcess) {
    const timers: NodeJS.Timeout[] = [];
    const probing = { stopped: false };
    c.stopProbes = () => {
      probing.stopped = true;
      timers.forEach(clearTimeout);
    };
    const kinds: Array<['Readiness' | 'Liveness', ProbeSpec | undefined]> = [
      ['Readiness', c.spec.readinessProbe as ProbeSpec | undefined],
      ['Liveness', c.spec.livenessProbe as ProbeSpec | undefined],
    ];
    c.readinessOk = c.spec.readinessProbe ? false : undefined;
    for (const [kind, spec] of kinds) {
      if (!spec) continue;
      const t = probeTiming(spec);
      let failures = 0;
      let successes = 0;
      const tick = async () => {
        if (probing.stopped || run.stopping || proc.exitInfo) return;
        let result: ProbeResult;
        try {
          result = await runProbe(spec, argv => this.exec(run.namespace, run.name, c.spec.name, { argv, stdin: false, tty: false }), t.timeoutMs);
        } catch (e) {
          result = { ok: false, output: (e as Error).message };
        }
        if (probing.stopped || run.stopping || proc.exitInfo) return;
        if (result.ok) {
          failures = 0;
          successes += 1;
          if (kind === 'Readiness' && !c.readinessOk && successes >= t.successThreshold) {
            c.readinessOk = true;
            this.syncStatus(run);
          }
        } else {
          successes = 0;
          failures += 1;
          this.events.record(this.ref(run, c)!, 'Warning', 'Unhealthy', `${kind} probe failed: ${result.output}`, this.source());
          if (kind === 'Readiness' && c.readinessOk && failures >= t.failureThreshold) {
            c.readinessOk = false;
            this.syncStatus(run);
          }
          if (kind === 'Liveness' && failures >= t.failureThreshold) {
            this.events.record(this.ref(run, c)!, 'Normal', 'Killing', `Container ${c.spec.name} failed liveness probe, will be restarted`, this.source());
            c.stopProbes?.();
            const pod = this.store.get<Pod>('pods', run.namespace, run.name);
            void proc.stop((pod?.spec.terminationGracePeriodSeconds ?? 30) * 1000);
            return;
          }
        }
        timers.push(setTimeout(() => void tick(), t.periodMs));
      };
      timers.push(setTimeout(() => void tick(), t.initialDelayMs));
    }
  }

  private startFailed(run: PodRun, c: ContainerRun, command: string, startedAt: string) {
    const message = `failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: "${command}": executable file not found in $PATH: unknown`;
    this.events.record(this.ref(run, c)!, 'Warning', 'Failed', `Error: ${message}`, this.source());
    this.onExit(run, c, { exitCode: 128 }, startedAt, 'StartError', message);
  }

  /** The passwd a container starts from: its image's own, or the host's (plain processes, host-based /etc). */
  private passwdOf(c: ContainerRun): string {
    try {
      const own = c.root && c.root.plan.etc !== 'host';
      return fs.readFileSync(own ? path.join(c.root!.dir, 'etc/passwd') : '/etc/passwd', 'utf8');
    } catch {
      return '';
    }
  }

  private onExit(run: PodRun, c: ContainerRun, info: { exitCode: number }, startedAt: string, reason?: string, message?: string) {
    c.stopProbes?.();
    c.stopProbes = undefined;
    // Read before the cgroup goes: the runtime reports OOMKilled when the kernel killed in it.
    const oomKilled = c.memory?.oomKilled() ?? false;
    void c.memory?.release();
    c.memory = undefined;
    if (this.stopped) return;
    const terminated: ContainerState = {
      terminated: {
        exitCode: info.exitCode,
        reason: reason ?? exitReason(info.exitCode, oomKilled),
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
    // Ephemeral containers are never restarted.
    const restart = c.kind === 'containers' && !run.failed && (policy === 'Always' || (policy === 'OnFailure' && info.exitCode !== 0));
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
      void this.startContainer(run, c);
    }, delay);
  }

  /** activeDeadlineSeconds passed: every container is killed and the pod fails for good. */
  private async failDeadline(run: PodRun) {
    if (run.stopping || this.stopped) return;
    const message = 'Pod was active on the node longer than the specified deadline';
    run.failed = { reason: 'DeadlineExceeded', message };
    const pod = this.store.get<Pod>('pods', run.namespace, run.name);
    if (pod) this.events.record(referenceTo(pod), 'Normal', 'DeadlineExceeded', message, this.source());
    const stops: Array<Promise<unknown>> = [];
    for (const c of this.allRuns(run)) {
      clearTimeout(c.timer);
      c.stopProbes?.();
      if (c.process) stops.push(c.process.stop((pod?.spec.terminationGracePeriodSeconds ?? 30) * 1000));
    }
    await Promise.all(stops);
    this.syncStatus(run);
  }

  private podPolicy(run: PodRun) {
    const pod = this.store.get<Pod>('pods', run.namespace, run.name);
    return pod?.spec.restartPolicy ?? 'Always';
  }

  private ref(run: PodRun, c: ContainerRun) {
    const pod = this.store.get<Pod>('pods', run.namespace, run.name);
    return pod ? referenceTo(pod, `spec.${c.kind}{${c.spec.name}}`) : undefined;
  }

  private updatePod(pod: KubeObject, mutate: (p: Pod) => void): Pod | undefined {
    if (!this.store.get('pods', pod.metadata.namespace, pod.metadata.name)) return undefined;
    return this.store.update<Pod>('pods', pod.metadata.namespace, pod.metadata.name, mutate);
  }

  private statusOf(c: ContainerRun): ContainerStatus {
    return {
      name: c.spec.name,
      state: c.state,
      lastState: c.lastState,
      ready: c.kind === 'containers' && 'running' in c.state && c.readinessOk !== false,
      restartCount: c.instance,
      image: c.spec.image,
      imageID: this.pulled.has(c.spec.image) ? `${c.spec.image.split(':')[0]}@sha256:${hashOf(c.spec.image)}` : '',
      ...(c.containerID ? { containerID: c.containerID } : {}),
      started: 'running' in c.state,
    };
  }

  /** Writes the pod status derived from its containers, as the kubelet's status manager does. */
  private syncStatus(run: PodRun) {
    const pod = this.store.get<Pod>('pods', run.namespace, run.name);
    if (!pod || this.stopped) return;
    const statuses = [...run.containers.values()].map(c => this.statusOf(c));
    const ephemeral = [...run.ephemeral.values()].map(c => this.statusOf(c));
    const allRunning = statuses.every(s => 'running' in s.state);
    const allTerminated = statuses.every(s => 'terminated' in s.state);
    const notReady = statuses.filter(s => !s.ready).map(s => s.name);
    let phase = 'Pending';
    if (run.failed) phase = 'Failed';
    else if (allTerminated) {
      // The kubelet's getPhase: containers about to be restarted keep the pod Running.
      const policy = pod.spec.restartPolicy ?? 'Always';
      const succeeded = statuses.every(s => 'terminated' in s.state && s.state.terminated.exitCode === 0);
      if (policy === 'Always' && !run.stopping) phase = 'Running';
      else if (succeeded) phase = 'Succeeded';
      else phase = policy === 'Never' || run.stopping ? 'Failed' : 'Running';
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
    const ready = allRunning && statuses.every(s => s.ready) && !run.failed;
    this.updatePod(pod, p => {
      p.status = {
        phase,
        ...(run.failed ? run.failed : {}),
        conditions: [
          cond('PodReadyToStartContainers', !run.failed),
          cond('Initialized', true),
          cond('Ready', ready, ready ? undefined : 'ContainersNotReady', readyMsg),
          cond('ContainersReady', ready, ready ? undefined : 'ContainersNotReady', readyMsg),
          cond('PodScheduled', true),
        ],
        hostIP: '10.0.0.10',
        hostIPs: [{ ip: '10.0.0.10' }],
        podIP: run.podIP,
        podIPs: [{ ip: run.podIP }],
        startTime: run.startTime,
        containerStatuses: statuses,
        ...(ephemeral.length ? { ephemeralContainerStatuses: ephemeral } : {}),
        qosClass: podQosClass(pod),
      };
    });
  }

  /** Starts the ephemeral containers of the pod's spec that do not run yet (after the API accepted them). */
  syncEphemeralContainers(pod: Pod) {
    const run = this.pods.get(key(pod.metadata.namespace!, pod.metadata.name));
    if (!run || run.stopping || run.failed) return;
    for (const spec of pod.spec.ephemeralContainers ?? []) {
      if (run.ephemeral.has(spec.name)) continue;
      const c = this.newRun('ephemeralContainers', spec, run);
      run.ephemeral.set(spec.name, c);
      this.syncStatus(run);
      this.pullAndStart(run, c);
    }
  }

  /** The environment of a container's processes (its own and exec'd ones), marked as the sandbox's. */
  private containerEnv(run: PodRun, c: ContainerRun): Record<string, string> {
    const env: Record<string, string> = {
      PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      HOSTNAME: run.name,
      HOME: this.isolated ? c.user?.home ?? '/root' : '/root',
      ...this.markers(run),
      [CONTAINER_ENV]: `${run.uid}/${c.spec.name}`,
    };
    if (c.spec.tty) env.TERM = 'xterm';
    for (const e of (c.spec.env ?? []) as Array<{ name: string; value?: string }>) env[e.name] = e.value ?? '';
    return env;
  }

  /** The working set of a limited container's cgroup (key `<pod uid>/<container>`), for metrics. */
  workingSetOf(containerKey: string): number | undefined {
    const [uid, name] = containerKey.split('/');
    for (const run of this.pods.values()) {
      if (run.uid === uid) return run.containers.get(name)?.memory?.workingSetBytes();
    }
    return undefined;
  }

  /** Throws the kubelet's error unless the container runs (checked before an exec/attach upgrade). */
  assertRunning(namespace: string, podName: string, container: string) {
    this.runningContainer(namespace, podName, container);
  }

  private runningContainer(namespace: string, podName: string, container: string) {
    const run = this.pods.get(key(namespace, podName));
    const c = run?.containers.get(container) ?? run?.ephemeral.get(container);
    if (!run || !c) throw new KubeletError(400, `container ${container} is not valid for pod ${podName}`);
    if (!c.process || c.process.exitInfo) {
      throw new KubeletError(400, `unable to upgrade connection: container not found ("${container}")`);
    }
    return { run, c, proc: c.process };
  }

  /**
   * Starts a process inside a running container (exec): its namespaces, root, user, environment and
   * working directory, on a terminal when asked; killed with the pod or the sandbox.
   */
  exec(namespace: string, podName: string, container: string, req: ExecRequest): StreamEndpoint {
    const { run, c, proc } = this.runningContainer(namespace, podName, container);
    const marker = `${EXEC_ENV}=${process.pid}-${++this.execCounter}`;
    const env: Record<string, string> = { ...this.containerEnv(run, c), [EXEC_ENV]: marker.split('=')[1] };
    if (req.tty) env.TERM = 'xterm';
    let argv = req.argv;
    if (c.root && !proc.initPid) {
      // Never run on the host: without the container's init there is no namespace to enter.
      return failedExec(`error executing command in container: container "${container}" has no running init process yet`, req.tty);
    }
    if (c.root && c.user && proc.initPid) {
      if (!findExecutable(c.root.plan, c.root.dir, req.argv[0], env.PATH)) {
        return failedExec(
          `error executing command in container: failed to exec in container: failed to start exec "${randomBytes(32).toString('hex')}": OCI runtime exec failed: exec failed: unable to start container process: exec: "${req.argv[0]}": executable file not found in $PATH: unknown`,
          req.tty,
        );
      }
      argv = execArgv(proc.initPid, c.user, req.tty, req.argv);
    }
    // An exec's processes count against the container's memory, as they share its cgroup.
    if (c.memory) argv = c.memory.wrap(argv);
    if (req.tty) argv = withPty(argv);
    argv = this.guard(argv);
    const child = spawn(argv[0], argv.slice(1), {
      env: req.tty ? { ...env, ...PTY_ENV } : env,
      cwd: c.root ? undefined : c.spec.workingDir,
      detached: true,
      stdio: [req.stdin || req.tty ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    });
    run.execs.add(child);
    child.once('close', () => run.execs.delete(child));
    return execEndpoint(child, req.tty, marker);
  }

  /** Attaches to a running container's own stdio (its stdin only when the container has `stdin: true`). */
  attach(namespace: string, podName: string, container: string): StreamEndpoint {
    const { c, proc } = this.runningContainer(namespace, podName, container);
    const once = Boolean(c.spec.stdinOnce);
    if (once && c.stdinUsed) proc.closeStdin();
    c.stdinUsed = true;
    return attachEndpoint(proc, once);
  }

  /** Whether a container asked for stdin and a tty (what attach may use). */
  containerStdio(namespace: string, podName: string, container: string): { stdin: boolean; tty: boolean } {
    const run = this.pods.get(key(namespace, podName));
    const c = run?.containers.get(container) ?? run?.ephemeral.get(container);
    return { stdin: Boolean(c?.spec.stdin), tty: Boolean(c?.spec.tty) };
  }

  /** How many log follows are attached to running containers (to prove clients let go). */
  followerCount(): number {
    let n = 0;
    for (const run of this.pods.values()) for (const c of this.allRuns(run)) n += c.process?.listenerCount('entry') ?? 0;
    return n;
  }

  private allRuns(run: PodRun): ContainerRun[] {
    return [...run.containers.values(), ...run.ephemeral.values()];
  }

  /** Resolves a container's log for the log endpoint, with the kubelet's error texts. */
  logTarget(namespace: string, podName: string, container: string, previous: boolean): LogTarget | undefined {
    const run = this.pods.get(key(namespace, podName));
    if (!run) return undefined; // not scheduled: the apiserver answers with no content
    const c = run.containers.get(container) ?? run.ephemeral.get(container);
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
      for (const c of this.allRuns(run)) {
        clearTimeout(c.timer);
        c.stopProbes?.();
        if (c.process) {
          this.events.record(referenceTo(pod, `spec.${c.kind}{${c.spec.name}}`), 'Normal', 'Killing', `Stopping container ${c.spec.name}`, this.source());
          stops.push(c.process.stop(grace * 1000));
        }
      }
      await Promise.all(stops);
      this.pods.delete(key(namespace, name));
      await this.teardown(run);
    }
    // With finalizers the object stays, Terminating, until they are removed.
    const current = this.store.get<Pod>('pods', namespace, name);
    if (current && !(current.metadata.finalizers ?? []).length) this.store.delete('pods', namespace, name);
  }

  /**
   * What is left of a pod once its containers stopped: execs, the namespace holder (whose end takes
   * any process still in the pod's namespaces with it), stray marked processes, then its files.
   * Mounts need no undoing: they exist only in the containers' mount namespaces.
   */
  private async teardown(run: PodRun) {
    clearTimeout(run.deadline);
    for (const child of run.execs) if (child.pid) killGroup(child.pid, 'SIGKILL');
    const holder = run.sandbox?.pid;
    if (holder) {
      const init = firstChild(holder);
      if (init) killPid(init, 'SIGKILL');
      killGroup(holder, 'SIGKILL');
    }
    for (let i = 0; i < 100; i++) {
      const left = findProcessesWithEnv(`${POD_ENV}=${run.uid}`);
      if (!left.length) break;
      for (const pid of left) killPid(pid, 'SIGKILL');
      await new Promise(r => setTimeout(r, 10));
    }
    removeDir(run.dir);
  }

  /** Kills every container process at once and removes all container data. */
  async stop() {
    this.stopped = true;
    const stops: Array<Promise<unknown>> = [];
    for (const run of this.pods.values()) {
      run.stopping = true;
      for (const c of this.allRuns(run)) {
        clearTimeout(c.timer);
        c.stopProbes?.();
        if (c.process) stops.push(c.process.stop(0));
      }
    }
    await Promise.all(stops);
    await Promise.all([...this.pods.values()].map(run => this.teardown(run)));
    this.pods.clear();
    await this.memory.stop();
    removeDir(this.opts.dataDir);
  }
}

/** Removes a folder whose last writers (just killed) may still be closing files: retried briefly. */
function removeDir(dir: string) {
  fs.rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 });
}

/** The runtime's reason for a container that ended by itself: an OOM kill wins over its exit code. */
function exitReason(exitCode: number, oomKilled: boolean): string {
  if (oomKilled) return 'OOMKilled';
  return exitCode === 0 ? 'Completed' : 'Error';
}

function firstChild(pid: number): number | undefined {
  try {
    const first = fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/)[0];
    return first ? Number(first) : undefined;
  } catch {
    return undefined;
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
