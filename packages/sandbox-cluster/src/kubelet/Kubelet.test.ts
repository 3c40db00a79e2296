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

const modes: Array<['isolated' | 'plain', 'auto' | 'off']> = rootOnLinux ? [['isolated', 'auto'], ['plain', 'off']] : [['plain', 'off']];

describe.each(modes)('%s containers', (mode, isolation) => {
  let cluster: Cluster;
  beforeAll(() => {
    cluster = new Cluster({ pullDelayMs: 5, isolation });
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
  afterAll(() => cluster.stop());

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
