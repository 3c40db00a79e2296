import fs from 'node:fs';
import path from 'node:path';
import { killPid } from '../ContainerProcess';
import { CONTAINER_ENV, forEachProcessEnv, SANDBOX_ENV } from '../processes';

/**
 * A container's memory limit (`resources.limits.memory`), enforced for real: by the kernel in a
 * memory cgroup of the container's own when the sandbox may create one (as runc does), otherwise
 * by a watchdog that kills the container's processes once their resident memory passes the limit.
 * Either way the container then ends by SIGKILL (137) and is known to be OOM-killed, which is what
 * the runtime reports to the kubelet as reason `OOMKilled`.
 */
export interface LimitedContainer {
  /** The command line, made to start inside the limit (and so every process it starts). */
  wrap(argv: string[]): string[];
  /** Whether a process of the container was killed for going over the limit. */
  oomKilled(): boolean;
  /** Kills what is left of the container's processes and removes its cgroup. */
  release(): Promise<void>;
  /**
   * The memory the kernel counts against the limit, less reclaimable page cache (cAdvisor's
   * working set: usage - inactive_file); undefined without a cgroup.
   */
  workingSetBytes(): number | undefined;
}

export interface MemoryLimiter {
  /** How limits are enforced: `cgroup v1`, `cgroup v2` or `watchdog`. */
  readonly kind: string;
  /** Starts enforcing `bytes` for one container instance. `marker` is its CONTAINER_ENV value. */
  limit(name: string, marker: string, bytes: number): LimitedContainer;
  /** Releases every container still limited, and the sandbox's own cgroup. */
  stop(): Promise<void>;
}

/** Where a memory cgroup of the sandbox's own can be made. */
export interface CgroupPlace {
  version: 1 | 2;
  /** The folder under which the sandbox's `kt-<id>` cgroup goes. */
  parent: string;
}

/**
 * Picks a place for the sandbox's memory cgroups from `/proc/self/mountinfo` and `/proc/self/cgroup`.
 * v1: beside this process, in the memory hierarchy. v2: beside this process's cgroup (a cgroup
 * with processes may not also delegate controllers), which the caller checks has `memory` enabled.
 */
export function cgroupPlace(mountinfo: string, selfCgroup: string): CgroupPlace | undefined {
  const mounts = mountinfo.split('\n').map(line => {
    const [pre, post = ''] = line.split(' - ');
    const fields = pre.split(' ');
    const [fstype, , superOptions = ''] = post.split(' ');
    return { root: fields[3], mountPoint: fields[4], fstype, options: superOptions.split(',') };
  });
  // `id:controllers:path`; the path may itself hold colons.
  const lines = selfCgroup.split('\n').flatMap(l => {
    const m = /^(\d+):([^:]*):(.*)$/.exec(l);
    return m ? [{ id: m[1], controllers: m[2].split(','), path: m[3] }] : [];
  });
  const within = (root: string, p: string) => {
    if (root === '/') return p;
    return p === root || p.startsWith(`${root}/`) ? p.slice(root.length) || '/' : undefined;
  };
  const v1 = lines.find(l => l.controllers.includes('memory'));
  const v1Mount = mounts.find(m => m.fstype === 'cgroup' && m.options.includes('memory'));
  if (v1 && v1Mount) {
    const rel = within(v1Mount.root, v1.path);
    if (rel !== undefined) return { version: 1, parent: path.resolve(v1Mount.mountPoint, `.${rel}`) };
  }
  const v2 = lines.find(l => l.id === '0' && l.controllers.join('') === '');
  const v2Mount = mounts.find(m => m.fstype === 'cgroup2');
  if (v2 && v2Mount) {
    const rel = within(v2Mount.root, v2.path);
    if (rel !== undefined && rel !== '/') return { version: 2, parent: path.resolve(v2Mount.mountPoint, `.${path.dirname(rel)}`) };
  }
  return undefined;
}

/** `kt-<pid>-<sandbox id>`: the pid tells a stale cgroup (its sandbox gone) from a live one. */
const CGROUP_NAME = /^kt-(\d+)-[0-9a-f]+$/;

/** Memory cgroups the kernel enforces: one folder per container instance under `kt-<sandbox id>`. */
class CgroupMemoryLimiter implements MemoryLimiter {
  readonly kind: string;
  private readonly open = new Map<string, LimitedContainer>();

  constructor(private readonly dir: string, private readonly version: 1 | 2) {
    this.kind = `cgroup v${version}`;
  }

  limit(name: string, _marker: string, bytes: number): LimitedContainer {
    const dir = path.join(this.dir, name);
    fs.mkdirSync(dir);
    const limitBytes = String(Math.ceil(bytes));
    if (this.version === 1) {
      fs.writeFileSync(path.join(dir, 'memory.limit_in_bytes'), limitBytes);
    } else {
      fs.writeFileSync(path.join(dir, 'memory.max'), limitBytes);
      // The whole container goes at once, as the kubelet sets it on cgroup v2; and no swapping around the limit.
      tryWrite(path.join(dir, 'memory.oom.group'), '1');
      tryWrite(path.join(dir, 'memory.swap.max'), '0');
    }
    const procs = path.join(dir, 'cgroup.procs');
    const eventsFile = path.join(dir, this.version === 1 ? 'memory.oom_control' : 'memory.events');
    const limited: LimitedContainer = {
      // The first process joins before it runs the container's command, so nothing escapes the limit.
      wrap: argv => ['sh', '-c', 'echo $$ > "$0" && exec "$@"', procs, ...argv],
      oomKilled: () => {
        try {
          return Number(/^oom_kill (\d+)$/m.exec(fs.readFileSync(eventsFile, 'utf8'))?.[1] ?? 0) > 0;
        } catch {
          return false;
        }
      },
      release: async () => {
        this.open.delete(name);
        await removeCgroup(dir);
      },
      workingSetBytes: () => {
        try {
          const usage = Number(fs.readFileSync(path.join(dir, this.version === 1 ? 'memory.usage_in_bytes' : 'memory.current'), 'utf8'));
          const stat = fs.readFileSync(path.join(dir, 'memory.stat'), 'utf8');
          const inactive = Number(new RegExp(`^${this.version === 1 ? 'total_inactive_file' : 'inactive_file'} (\\d+)$`, 'm').exec(stat)?.[1] ?? 0);
          return Math.max(0, usage - inactive);
        } catch {
          return undefined;
        }
      },
    };
    this.open.set(name, limited);
    return limited;
  }

  async stop() {
    await Promise.all([...this.open.values()].map(l => l.release()));
    await removeCgroup(this.dir);
  }
}

function tryWrite(file: string, text: string) {
  try {
    fs.writeFileSync(file, text);
  } catch {
    // an older kernel without the file
  }
}

/** Kills the processes left in a cgroup, then removes it (possible only once it is empty). */
async function removeCgroup(dir: string) {
  for (let i = 0; i < 200; i++) {
    try {
      for (const sub of fs.readdirSync(dir, { withFileTypes: true })) if (sub.isDirectory()) await removeCgroup(path.join(dir, sub.name));
      for (const pid of fs.readFileSync(path.join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean)) killPid(Number(pid), 'SIGKILL');
      fs.rmdirSync(dir);
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
      await new Promise(r => setTimeout(r, 10));
    }
  }
}

/**
 * Where the sandbox cannot make cgroups (not root, no writable memory hierarchy): every interval,
 * the resident memory of each limited container's processes (found by their marker, execs too) is
 * summed, and all of them are killed at once when it passes the limit, as `memory.oom.group` does.
 */
class WatchdogMemoryLimiter implements MemoryLimiter {
  readonly kind = 'watchdog';
  private readonly watched = new Map<string, { bytes: number; killed: boolean }>();
  private timer?: NodeJS.Timeout;

  constructor(private readonly sandboxId: string, private readonly intervalMs: number) {}

  limit(_name: string, marker: string, bytes: number): LimitedContainer {
    const entry = { bytes, killed: false };
    this.watched.set(marker, entry);
    this.timer ??= setInterval(() => this.check(), this.intervalMs);
    return {
      wrap: argv => argv,
      oomKilled: () => entry.killed,
      workingSetBytes: () => undefined,
      release: async () => {
        if (this.watched.get(marker) === entry) this.watched.delete(marker);
        if (!this.watched.size) this.stopTimer();
      },
    };
  }

  private check() {
    const sandbox = `${SANDBOX_ENV}=${this.sandboxId}`;
    const usage = new Map<string, { bytes: number; pids: number[] }>();
    forEachProcessEnv((pid, env) => {
      if (!env.includes(sandbox)) return;
      const marker = env.find(e => e.startsWith(`${CONTAINER_ENV}=`))?.slice(CONTAINER_ENV.length + 1);
      if (!marker || !this.watched.has(marker)) return;
      const u = usage.get(marker) ?? { bytes: 0, pids: [] };
      u.bytes += residentBytes(pid);
      u.pids.push(pid);
      usage.set(marker, u);
    });
    for (const [marker, u] of usage) {
      const entry = this.watched.get(marker)!;
      if (u.bytes <= entry.bytes) continue;
      entry.killed = true;
      for (const pid of u.pids) killPid(pid, 'SIGKILL');
    }
  }

  private stopTimer() {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  async stop() {
    this.watched.clear();
    this.stopTimer();
  }
}

function residentBytes(pid: number): number {
  try {
    return Number(fs.readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]) * 4096;
  } catch {
    return 0;
  }
}

export interface MemoryLimiterOptions {
  sandboxId: string;
  /** `auto`: a cgroup where one can be made, else the watchdog. */
  mode?: 'auto' | 'watchdog';
  watchdogIntervalMs?: number;
}

/** The best enforcement this machine allows; also removes cgroups that crashed sandboxes left. */
export function openMemoryLimiter(opts: MemoryLimiterOptions): MemoryLimiter {
  const watchdog = () => new WatchdogMemoryLimiter(opts.sandboxId, opts.watchdogIntervalMs ?? 100);
  if (opts.mode === 'watchdog' || process.platform !== 'linux') return watchdog();
  let place: CgroupPlace | undefined;
  try {
    place = cgroupPlace(fs.readFileSync('/proc/self/mountinfo', 'utf8'), fs.readFileSync('/proc/self/cgroup', 'utf8'));
  } catch {
    return watchdog();
  }
  if (!place) return watchdog();
  const dir = path.join(place.parent, `kt-${process.pid}-${opts.sandboxId}`);
  try {
    sweepStale(place.parent);
    fs.mkdirSync(dir);
    if (place.version === 2) {
      // Its children get the memory controller only if it delegates it.
      fs.writeFileSync(path.join(dir, 'cgroup.subtree_control'), '+memory');
    } else if (!fs.existsSync(path.join(dir, 'memory.limit_in_bytes'))) {
      throw new Error('no memory controller');
    }
    return new CgroupMemoryLimiter(dir, place.version);
  } catch {
    try {
      fs.rmdirSync(dir);
    } catch {
      // never made
    }
    return watchdog();
  }
}

/** The cgroups of sandboxes whose process is gone without stopping (their containers died with them). */
function sweepStale(parent: string) {
  for (const name of fs.readdirSync(parent)) {
    const pid = CGROUP_NAME.exec(name)?.[1];
    if (!pid || fs.existsSync(`/proc/${pid}`)) continue;
    const dir = path.join(parent, name);
    try {
      for (const sub of fs.readdirSync(dir, { withFileTypes: true })) if (sub.isDirectory()) fs.rmdirSync(path.join(dir, sub.name));
      fs.rmdirSync(dir);
    } catch {
      // a process outlived its sandbox: left alone
    }
  }
}
