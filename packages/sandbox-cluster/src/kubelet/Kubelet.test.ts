import fs from 'node:fs';
import { Cluster } from '../Cluster';
import { Pod } from '../store/pod';
import { findSandboxProcesses } from './processes';
import { StreamEndpoint, StreamEnd } from './streams';

/** The kubelet's runtime in both modes: isolated (root on Linux) and plain processes (elsewhere). */
jest.setTimeout(30_000);

const rootOnLinux = process.getuid?.() === 0 && process.platform === 'linux';

async function until<T>(what: string, fn: () => T | undefined, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise(r => setTimeout(r, 20));
  }
}

function run(endpoint: StreamEndpoint, input?: string) {
  let out = '';
  endpoint.onOutput((_s, d) => (out += d.toString()));
  if (input !== undefined) {
    endpoint.writeStdin(Buffer.from(input));
  }
  return { output: () => out, end: new Promise<StreamEnd>(resolve => endpoint.onEnd(resolve)) };
}

// Isolated containers get memory cgroups where the machine allows; plain ones are checked with the watchdog.
const modes: Array<['isolated' | 'plain', 'auto' | 'off', 'auto' | 'watchdog', RegExp]> = rootOnLinux
  ? [['isolated', 'auto', 'auto', /^cgroup v[12]$/], ['plain', 'off', 'watchdog', /^watchdog$/]]
  : [['plain', 'off', 'auto', /^watchdog$/]];

/** A container that holds 2 MiB more every 50 ms. */
const GROW = 'echo start; b=$(head -c 2097152 /dev/zero | tr "\\0" x); s=; while :; do s="$s$b"; sleep 0.05; done';

describe.each(modes)('%s containers', (mode, isolation, memoryEnforcement, enforcedBy) => {
  let cluster: Cluster;
  const terminated = (name: string) =>
    until(`${name} to end`, () => {
      const state = cluster.store.get<Pod>('pods', 'default', name)?.status?.containerStatuses?.[0]?.state;
      return state && 'terminated' in state ? state.terminated : undefined;
    });
  const pod = (name: string, container: Record<string, unknown>) =>
    cluster.createPod({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' }, spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'sandbox.local/toolbox:1', ...container }] } } as Pod);
  beforeAll(() => {
    cluster = new Cluster({ pullDelayMs: 5, isolation, memoryEnforcement });
    cluster.createPod({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'web', namespace: 'default' },
      spec: {
        terminationGracePeriodSeconds: 1,
        containers: [
          { name: 'app', image: 'sandbox.local/distroless:1' },
          { name: 'sh', image: 'sandbox.local/toolbox:1' },
        ],
      },
    } as Pod);
    return until('web to run', () => cluster.store.get<Pod>('pods', 'default', 'web')?.status?.containerStatuses?.every(s => 'running' in s.state) || undefined);
  });
  const afterCleanup: Array<() => void> = [];
  afterAll(async () => {
    await cluster.stop();
    for (const clean of afterCleanup) clean();
  });

  it("runs the distroless image's own program", async () => {
    expect(cluster.isolation.isolated).toBe(mode === 'isolated');
    const target = cluster.kubelet.logTarget('default', 'web', 'app', false)!;
    await expect(until('its first line', () => (fs.readFileSync(target.file, 'utf8').includes('ledger started') ? true : undefined))).resolves.toBe(true);
  });

  it('execs with the container environment and an exit code', async () => {
    const r = run(cluster.kubelet.exec('default', 'web', 'sh', { argv: ['sh', '-c', 'echo $HOSTNAME; exit 7'], stdin: false, tty: false }));
    expect(await r.end).toEqual({ kind: 'exit', code: 7 });
    expect(r.output()).toBe('web\n');
  });

  it('runs a tty exec on a pseudo-terminal that can be resized', async () => {
    const endpoint = cluster.kubelet.exec('default', 'web', 'sh', { argv: ['sh'], stdin: true, tty: true });
    const r = run(endpoint);
    endpoint.resize({ width: 91, height: 19 });
    await new Promise(res => setTimeout(res, 300));
    endpoint.writeStdin(Buffer.from('stty size; tty; exit 2\n'));
    expect(await r.end).toEqual({ kind: 'exit', code: 2 });
    expect(r.output()).toMatch(/^19 91\r$/m);
    expect(r.output()).toMatch(/^\/dev\/pts\/\d+\r$/m);
  });

  it('a client leaving an exec kills its processes', async () => {
    const endpoint = cluster.kubelet.exec('default', 'web', 'sh', { argv: ['sh', '-c', 'sleep 313 & sleep 314'], stdin: false, tty: false });
    const sleeping = () => findSandboxProcesses(cluster.id).filter(p => /^sleep 31[34]/.test(fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').replace(/\0/g, ' ')));
    await until('the sleeps', () => (sleeping().length === 2 ? true : undefined));
    endpoint.detach();
    await expect(until('them to go', () => (sleeping().length === 0 ? true : undefined), 5000)).resolves.toBe(true);
  });

  it('OOM-kills a container past its memory limit: OOMKilled, 137, its log intact', async () => {
    expect(cluster.kubelet.memory.kind).toMatch(enforcedBy);
    const created = pod('hog', { command: ['sh', '-c', GROW], resources: { limits: { memory: '32Mi' } } });
    // Requests default to the limits; with memory but no CPU limit the pod is Burstable.
    expect(created.spec.containers[0].resources).toEqual({ limits: { memory: '32Mi' }, requests: { memory: '32Mi' } });
    expect(created.status?.qosClass).toBe('Burstable');
    const end = await terminated('hog');
    expect(end).toMatchObject({ reason: 'OOMKilled', exitCode: 137 });
    const log = fs.readFileSync(cluster.kubelet.logTarget('default', 'hog', 'c', false)!.file, 'utf8');
    expect(log).toMatch(/stdout F start\n/);
    // Nothing of the runtime's own (a shell's "Killed", unshare's complaint) in the container's log.
    expect(log).not.toMatch(/stderr/);
  });

  it('reports a container killed by SIGKILL as 137, Error, without an OOM', async () => {
    pod('victim', { command: ['sh', '-c', 'echo up; sleep 900'], resources: { limits: { memory: '256Mi', cpu: '1' } } });
    expect(cluster.store.get<Pod>('pods', 'default', 'victim')!.status?.qosClass).toBe('Guaranteed');
    const log = () => {
      const target = cluster.store.get<Pod>('pods', 'default', 'victim')?.status?.containerStatuses?.[0]?.started && cluster.kubelet.logTarget('default', 'victim', 'c', false);
      return target ? fs.readFileSync(target.file, 'utf8') : '';
    };
    await until('its first line', () => (log().includes('up') ? true : undefined));
    // Its main process: the shell running its command, in its pid namespace or not.
    const [main] = findSandboxProcesses(cluster.id).filter(p => fs.readFileSync(`/proc/${p}/cmdline`, 'utf8') === 'sh\0-c\0echo up; sleep 900\0');
    process.kill(main, 'SIGKILL');
    expect(await terminated('victim')).toMatchObject({ reason: 'Error', exitCode: 137 });
    expect(log()).not.toMatch(/stderr/);
  });

  it('refuses bad quantities (400) and requests above limits (422) with the apiserver texts', () => {
    expect(() => pod('bad', { resources: { limits: { memory: '64MB' } } })).toThrow(
      "Pod in version \"v1\" cannot be handled as a Pod: quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
    );
    expect(() => pod('bad', { resources: { requests: { memory: '128Mi' }, limits: { memory: '64Mi' } } })).toThrow(
      'spec.containers[0].resources.requests[memory]: Invalid value: "128Mi": must be less than or equal to memory limit of 64Mi',
    );
    expect(() => pod('bad', { resources: { limits: { cpu: '-1' } } })).toThrow('spec.containers[0].resources.limits[cpu]: Invalid value: "-1": must be greater than or equal to 0');
  });

  it('runs readiness and liveness probes: not ready until the probe passes, restarted after liveness fails', async () => {
    // Plain processes share the host's /tmp: a name of this run's own, removed after.
    const flag = `/tmp/kt-probe-ok-${process.pid}-${mode}`;
    afterCleanup.push(() => fs.rmSync(flag, { force: true }));
    pod('probed', {
      command: ['sh', '-c', 'sleep 900'],
      readinessProbe: { exec: { command: ['sh', '-c', `test -f ${flag} || { echo "cache cold"; exit 1; }`] }, periodSeconds: 1 },
    });
    const status = () => cluster.store.get<Pod>('pods', 'default', 'probed')?.status;
    const unhealthy = () => cluster.store.list<{ reason?: string; message?: string; involvedObject: { name: string } } & Pod>('events', 'default').filter(e => e.involvedObject.name === 'probed' && e.reason === 'Unhealthy');
    await until('a failed readiness probe', () => (unhealthy().length ? true : undefined));
    expect(unhealthy()[0].message).toBe('Readiness probe failed: cache cold');
    expect(status()?.containerStatuses?.[0]).toMatchObject({ ready: false, started: true });
    expect(status()?.conditions?.find(c => c.type === 'Ready')?.status).toBe('False');
    const touch = run(cluster.kubelet.exec('default', 'probed', 'c', { argv: ['touch', flag], stdin: false, tty: false }));
    expect(await touch.end).toEqual({ kind: 'exit', code: 0 });
    await until('ready', () => (status()?.containerStatuses?.[0]?.ready ? true : undefined));
    expect(status()?.conditions?.find(c => c.type === 'Ready')?.status).toBe('True');

    cluster.createPod({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'wedged', namespace: 'default' },
      spec: {
        terminationGracePeriodSeconds: 1,
        containers: [{ name: 'c', image: 'sandbox.local/toolbox:1', command: ['sh', '-c', 'sleep 900'], livenessProbe: { tcpSocket: { port: 1 }, periodSeconds: 1, failureThreshold: 2 } }],
      },
    } as Pod);
    await until('a liveness restart', () => (cluster.store.get<Pod>('pods', 'default', 'wedged')?.status?.containerStatuses?.[0]?.restartCount ? true : undefined), 15_000);
    const events = cluster.store.list<{ reason?: string; message?: string; involvedObject: { name: string } } & Pod>('events', 'default').filter(e => e.involvedObject.name === 'wedged');
    expect(events.find(e => e.reason === 'Unhealthy')?.message).toBe('Liveness probe failed: dial tcp 127.0.0.1:1: connect: connection refused');
    expect(events.find(e => e.reason === 'Killing')?.message).toBe('Container c failed liveness probe, will be restarted');
  });

  it('deletes a pod within its grace period, leaving no process or file', async () => {
    cluster.createPod({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'stubborn', namespace: 'default' },
      spec: { containers: [{ name: 'c', image: 'sandbox.local/toolbox:1', command: ['sh', '-c', 'trap "" TERM; sleep 900 & wait'] }] },
    } as Pod);
    await until('stubborn to run', () => cluster.store.get<Pod>('pods', 'default', 'stubborn')?.status?.containerStatuses?.every(s => 'running' in s.state) || undefined);
    const uid = cluster.store.get<Pod>('pods', 'default', 'stubborn')!.metadata.uid!;
    const started = Date.now();
    await cluster.kubelet.deletePod('default', 'stubborn', 1);
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(900); // SIGTERM ignored: SIGKILL after the grace period
    expect(took).toBeLessThan(4000);
    expect(cluster.store.get('pods', 'default', 'stubborn')).toBeUndefined();
    const left = findSandboxProcesses(cluster.id).filter(p => fs.readFileSync(`/proc/${p}/environ`, 'utf8').includes(uid));
    expect(left).toEqual([]);
    expect(fs.readdirSync(`${cluster.dataDir}/pods`).some(d => d.includes(uid))).toBe(false);
  });

  it('stopping the node kills every container process and removes its folder', async () => {
    await cluster.stop();
    expect(findSandboxProcesses(cluster.id)).toEqual([]);
    expect(fs.existsSync(cluster.dataDir)).toBe(false);
  });
});
