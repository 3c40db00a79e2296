import fs from 'node:fs';
import { CONTAINER_ENV, forEachProcessEnv, SANDBOX_ENV } from './processes';

/** Linux's USER_HZ: /proc times are in hundredths of a second on every architecture Linux runs on. */
const TICKS_PER_SECOND = 100;
const PAGE_BYTES = 4096;

/** One sample of a container (or the node): cumulative CPU time and the memory in use then. */
export interface UsageSample {
  atMs: number;
  cpuNs: number;
  memoryBytes: number;
  /** No process of the container was found (between runs): no fresh data, as metrics-server skips it. */
  empty?: boolean;
}

/** What metrics-server serves for a container or a node: a CPU rate over the window, memory at its end. */
export interface Usage {
  /** CPU in nanocores over the window (`uint64Quantity(..., -9)` in metrics-server). */
  cpuNanoCores: number;
  memoryBytes: number;
  /** The window's end, and its length. */
  timestampMs: number;
  windowMs: number;
}

/** The rate between the last two samples; undefined until there are two (metrics-server waits for two too). */
export function usageBetween(prev: UsageSample | undefined, last: UsageSample | undefined): Usage | undefined {
  if (!prev || !last || last.atMs <= prev.atMs) return undefined;
  const windowMs = last.atMs - prev.atMs;
  return {
    cpuNanoCores: Math.max(0, Math.round(((last.cpuNs - prev.cpuNs) / windowMs) * 1000)),
    memoryBytes: last.memoryBytes,
    timestampMs: last.atMs,
    windowMs,
  };
}

/** CPU time (user + system) and resident memory of one process, from /proc; undefined once it is gone. */
function processUsage(pid: number): { cpuNs: number; rssBytes: number } | undefined {
  try {
    // Fields after the command (which may hold spaces and parentheses): state is field 3, utime 14, stime 15.
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    const resident = Number(fs.readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]);
    return { cpuNs: (ticks / TICKS_PER_SECOND) * 1e9, rssBytes: resident * PAGE_BYTES };
  } catch {
    return undefined;
  }
}

interface ContainerTrack {
  /** CPU of processes that are gone: a counter never goes back when one exits. */
  exitedCpuNs: number;
  lastCpuOf: Map<number, number>;
  samples: UsageSample[];
}

/**
 * Samples the CPU and memory of every container of one sandbox, as the kubelet's cAdvisor samples
 * each container's cgroup: the sandbox has no cgroup per container, so a container is the
 * processes marked with it (its own and those exec'd into it). CPU is their cumulative user and
 * system time; memory their resident set, the working set's stand-in. Keeps two samples each.
 */
export class ResourceSampler {
  private readonly tracks = new Map<string, ContainerTrack>();
  private node: UsageSample[] = [];

  /**
   * `workingSet`: a container's memory from its cgroup, when it has one (what its limit counts);
   * others are the resident set of their processes.
   */
  constructor(private readonly sandboxId: string, private readonly workingSet: (key: string) => number | undefined = () => undefined) {}

  /** One pass over /proc. */
  sample(now = Date.now()) {
    const sandboxEntry = `${SANDBOX_ENV}=${this.sandboxId}`;
    const current = new Map<string, { cpuNs: number; memoryBytes: number; pids: Map<number, number> }>();
    const containerPrefix = `${CONTAINER_ENV}=`;
    forEachProcessEnv((pid, env) => {
      if (!env.includes(sandboxEntry)) return;
      const key = env.find(e => e.startsWith(containerPrefix))?.slice(containerPrefix.length);
      const usage = key ? processUsage(pid) : undefined;
      if (!key || !usage) return;
      const c = current.get(key) ?? { cpuNs: 0, memoryBytes: 0, pids: new Map() };
      c.cpuNs += usage.cpuNs;
      c.memoryBytes += usage.rssBytes;
      c.pids.set(pid, usage.cpuNs);
      current.set(key, c);
    });
    // A container with no process left keeps its counter; it is forgotten when its pod goes.
    for (const key of this.tracks.keys()) if (!current.has(key)) current.set(key, { cpuNs: 0, memoryBytes: 0, pids: new Map() });
    for (const [key, c] of current) {
      const track = this.tracks.get(key) ?? { exitedCpuNs: 0, lastCpuOf: new Map(), samples: [] };
      for (const [pid, cpu] of track.lastCpuOf) if (!c.pids.has(pid)) track.exitedCpuNs += cpu;
      track.lastCpuOf = c.pids;
      const memoryBytes = c.pids.size ? this.workingSet(key) ?? c.memoryBytes : 0;
      track.samples = [...track.samples.slice(-1), { atMs: now, cpuNs: track.exitedCpuNs + c.cpuNs, memoryBytes, ...(c.pids.size ? {} : { empty: true }) }];
      this.tracks.set(key, track);
    }
    const node = nodeSample(now);
    if (node) this.node = [...this.node.slice(-1), node];
  }

  /** A container's usage over the last window (key: `<pod uid>/<container name>`). */
  container(key: string): Usage | undefined {
    const s = this.tracks.get(key)?.samples ?? [];
    if (s[s.length - 1]?.empty) return undefined;
    return usageBetween(s[s.length - 2], s[s.length - 1]);
  }

  nodeUsage(): Usage | undefined {
    return usageBetween(this.node[this.node.length - 2], this.node[this.node.length - 1]);
  }

  /** Drops the containers of a pod that is gone. */
  forgetPod(podUid: string) {
    for (const key of this.tracks.keys()) if (key.startsWith(`${podUid}/`)) this.tracks.delete(key);
  }
}

/** The node: busy CPU time from /proc/stat, memory in use from /proc/meminfo (MemTotal - MemAvailable). */
function nodeSample(now: number): UsageSample | undefined {
  try {
    const cpu = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal: busy is all but idle and iowait.
    const busyTicks = cpu.slice(0, 8).reduce((a, b) => a + b, 0) - cpu[3] - cpu[4];
    const meminfo = fs.readFileSync('/proc/meminfo', 'utf8');
    const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(meminfo)?.[1] ?? 0);
    return { atMs: now, cpuNs: (busyTicks / TICKS_PER_SECOND) * 1e9, memoryBytes: (kib('MemTotal') - kib('MemAvailable')) * 1024 };
  } catch {
    return undefined;
  }
}
