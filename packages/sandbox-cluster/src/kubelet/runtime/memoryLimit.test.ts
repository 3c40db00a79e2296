import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import { CONTAINER_ENV, SANDBOX_ENV } from '../processes';
import { cgroupPlace, MemoryLimiter, openMemoryLimiter } from './memoryLimit';

jest.setTimeout(30_000);

const MOUNT_V1 =
  '30 25 0:26 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n' +
  '31 25 0:27 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n';
const MOUNT_V2 = '25 1 0:22 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot\n';

describe('where the sandbox makes its memory cgroups', () => {
  it.each([
    ['cgroup v1, beside this process', MOUNT_V1, '4:memory:/process_api/a5\n0::/\n', { version: 1, parent: '/sys/fs/cgroup/memory/process_api/a5' }],
    ['cgroup v1 at the root', MOUNT_V1, '4:memory:/\n', { version: 1, parent: '/sys/fs/cgroup/memory' }],
    ['cgroup v2, beside this process (which may not delegate)', MOUNT_V2, '0::/user.slice/user-0.slice/session-3.scope\n', { version: 2, parent: '/sys/fs/cgroup/user.slice/user-0.slice' }],
    ['cgroup v2 at the root of a cgroup namespace: nowhere', MOUNT_V2, '0::/\n', undefined],
    ['a v1 mount of another part of the tree: nowhere', '30 25 0:26 /other /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n', '4:memory:/mine\n', undefined],
    ['no cgroup file system', '22 1 0:5 / /proc rw - proc proc rw\n', '0::/\n', undefined],
  ])('%s', (_what, mountinfo, cgroup, place) => expect(cgroupPlace(mountinfo, cgroup)).toEqual(place));
});

/** A shell that grows by 2 MiB every 50 ms, marked as a container of sandbox `id`. */
function grower(id: string, marker: string, wrap: (argv: string[]) => string[] = a => a): ChildProcess {
  const script = 'b=$(head -c 2097152 /dev/zero | tr "\\0" x); s=; while :; do s="$s$b"; sleep 0.05; done';
  const [cmd, ...args] = wrap(['sh', '-c', script]);
  return spawn(cmd, args, { env: { PATH: process.env.PATH, [SANDBOX_ENV]: id, [CONTAINER_ENV]: marker }, stdio: 'ignore' });
}

const exited = (child: ChildProcess) => new Promise<NodeJS.Signals | null>(resolve => child.once('exit', (_code, signal) => resolve(signal)));

/** Whether this machine lets the sandbox make memory cgroups; CI's does, so there it is never skipped. */
function cgroupsHere(): boolean {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return false;
  const probe = openMemoryLimiter({ sandboxId: 'probe' });
  void probe.stop();
  if (probe.kind === 'watchdog' && process.env.CI !== 'true') console.warn('no writable memory cgroup here: only the watchdog is checked');
  return probe.kind !== 'watchdog' || process.env.CI === 'true';
}
const describeWithCgroups = cgroupsHere() ? describe : describe.skip;

describe('memory limits, enforced', () => {
  let limiter: MemoryLimiter | undefined;
  const children: ChildProcess[] = [];
  afterEach(async () => {
    for (const c of children.splice(0)) c.kill('SIGKILL');
    await limiter?.stop();
    limiter = undefined;
  });

  it('by the watchdog: the container goes by SIGKILL once past its limit, one under it stays', async () => {
    limiter = openMemoryLimiter({ sandboxId: 'wd', mode: 'watchdog', watchdogIntervalMs: 50 });
    expect(limiter.kind).toBe('watchdog');
    const over = limiter.limit('a', 'pod/over', 16 * 2 ** 20);
    const under = limiter.limit('b', 'pod/under', 1024 * 2 ** 20);
    const a = grower('wd', 'pod/over');
    const b = grower('wd', 'pod/under');
    children.push(a, b);
    expect(await exited(a)).toBe('SIGKILL');
    expect(over.oomKilled()).toBe(true);
    expect(b.exitCode).toBeNull();
    expect(under.oomKilled()).toBe(false);
    expect(under.workingSetBytes()).toBeUndefined(); // no cgroup: metrics use the resident set
    await under.release();
  });
});

describeWithCgroups('memory limits, enforced by the kernel', () => {
  const children: ChildProcess[] = [];
  let limiter: MemoryLimiter;
  afterEach(async () => {
    for (const c of children.splice(0)) c.kill('SIGKILL');
    await limiter.stop(); // again, when the test failed half-way
  });

  it('in a memory cgroup (root on Linux): killed at the limit, the cgroup removed after', async () => {
    limiter = openMemoryLimiter({ sandboxId: 'c0ffee' });
    expect(limiter.kind).toMatch(/^cgroup v[12]$/);
    const limited = limiter.limit('pod_c_0', 'pod/c', 24 * 2 ** 20);
    let cgroupDir = '';
    const child = grower('c0ffee', 'pod/c', argv => {
      const wrapped = limited.wrap(argv);
      cgroupDir = wrapped[3].replace(/\/cgroup\.procs$/, '');
      return wrapped;
    });
    children.push(child);
    const exit = exited(child);
    // While it grows, the cgroup's working set (what the limit counts) shows it.
    let seen = 0;
    while (child.exitCode === null && child.signalCode === null) {
      seen = Math.max(seen, limited.workingSetBytes() ?? 0);
      await new Promise(r => setTimeout(r, 20));
    }
    expect(await exit).toBe('SIGKILL');
    expect(seen).toBeGreaterThan(4 * 2 ** 20);
    expect(seen).toBeLessThanOrEqual(24 * 2 ** 20);
    expect(limited.oomKilled()).toBe(true);
    expect(fs.existsSync(cgroupDir)).toBe(true);
    await limited.release();
    expect(fs.existsSync(cgroupDir)).toBe(false);
    const parent = cgroupDir.replace(/\/[^/]+$/, '');
    await limiter.stop();
    expect(fs.existsSync(parent)).toBe(false);
  });
});
