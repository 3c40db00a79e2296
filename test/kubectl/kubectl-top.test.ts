import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findSandboxProcesses, Pod, Sandbox, startSandbox } from '@internal/sandbox-cluster';
import { requireTool, runKubectl, waitFor } from '../support/tools';

/**
 * `kubectl top` against the sandbox's metrics.k8s.io: discovery, PodMetrics from the containers'
 * real processes (a busy loop's CPU, a growing shell's memory), NodeMetrics against the node's
 * allocatable.
 */
jest.setTimeout(120_000);

const kubectl = requireTool('kubectl', 'the kubectl top tests need real kubectl');
const describeIf = kubectl ? describe : describe.skip;
/** The sampling interval here: what "within one scrape" means below. */
const INTERVAL_MS = 1000;

let sandbox: Sandbox;
let tmp: string;
let kubeconfig: string;

const run = (args: string[]) => runKubectl(kubectl!, kubeconfig, args);

/** `kubectl top pod` rows by pod name: millicores and MiB. */
async function topPods(): Promise<Map<string, { cpuMilli: number; memoryMi: number }>> {
  const { stdout, code, stderr } = await run(['top', 'pod', '-n', 'default', '--no-headers']);
  if (code !== 0) throw new Error(stderr);
  return new Map(
    stdout
      .trim()
      .split('\n')
      .filter(Boolean)
      .map(l => l.trim().split(/\s+/))
      .map(([name, cpu, memory]) => [name, { cpuMilli: Number(cpu.replace(/m$/, '')), memoryMi: Number(memory.replace(/Mi$/, '')) }]),
  );
}

const running = (name: string) =>
  waitFor(`${name} to run`, () => sandbox.cluster.store.get<Pod>('pods', 'default', name)?.status?.containerStatuses?.every(s => 'running' in s.state) || undefined);

describeIf('kubectl top against the sandbox', () => {
  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kt-top-'));
    kubeconfig = path.join(tmp, 'kubeconfig');
    sandbox = await startSandbox({ kubeconfigPath: kubeconfig, pullDelayMs: 10, metricsIntervalMs: INTERVAL_MS });
    const pod = (name: string, command: string) =>
      sandbox.cluster.createPod({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'sandbox.local/toolbox:1', command: ['sh', '-c', command] }] } } as Pod);
    pod('busy', 'while :; do :; done');
    // Grows by ~64 MB once /tmp/grow exists (a shell variable of that size).
    pod('grower', 'while [ ! -e /tmp/grow ]; do sleep 0.05; done; x=$(head -c 64000000 /dev/zero | tr "\\0" a); echo grown; sleep 3600');
    await running('busy');
    await running('grower');
  });

  afterAll(async () => {
    await sandbox?.stop();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('discovers metrics.k8s.io/v1beta1 with nodes and pods, get and list', async () => {
    const { stdout } = await run(['api-resources', '--api-group=metrics.k8s.io', '-o', 'wide', '--no-headers']);
    const rows = stdout.trim().split('\n').map(l => l.trim().split(/\s+/));
    expect(rows).toEqual([
      ['nodes', 'metrics.k8s.io/v1beta1', 'false', 'NodeMetrics', 'get,list'],
      ['pods', 'metrics.k8s.io/v1beta1', 'true', 'PodMetrics', 'get,list'],
    ]);
  });

  it('top pod shows a busy loop near a core and an idle shell near none', async () => {
    const top = await waitFor('both pods in kubectl top', async () => {
      const t = await topPods();
      return t.has('busy') && t.has('grower') && t.get('busy')!.cpuMilli > 0 ? t : undefined;
    }, 30_000);
    expect(top.get('busy')!.cpuMilli).toBeGreaterThan(300);
    expect(top.get('grower')!.cpuMilli).toBeLessThan(200);
    const one = await run(['top', 'pod', 'busy', '--containers', '--no-headers']);
    expect(one.stdout.trim().split(/\s+/).slice(0, 2)).toEqual(['busy', 'c']);
    const selected = await run(['top', 'pod', '-l', 'app=grower', '--no-headers']);
    expect(selected.stdout.trim().split(/\s+/)[0]).toBe('grower');
  });

  it('a container that grows its memory shows it within one scrape', async () => {
    const before = (await topPods()).get('grower')!.memoryMi;
    expect(before).toBeLessThan(30);
    const exec = await run(['exec', 'grower', '--', 'touch', '/tmp/grow']);
    expect(exec.code).toBe(0);
    await waitFor('the grower to have grown', async () => ((await run(['logs', 'grower'])).stdout.includes('grown') ? true : undefined));
    const grewAt = Date.now();
    const after = await waitFor('kubectl top to show the growth', async () => {
      const m = (await topPods()).get('grower')!.memoryMi;
      return m >= 55 ? m : undefined;
    }, 20_000);
    expect(after).toBeGreaterThanOrEqual(55);
    // One scrape, plus kubectl's own time.
    expect(Date.now() - grewAt).toBeLessThan(INTERVAL_MS * 2 + 3000);
  });

  it('top node shows the node against its allocatable', async () => {
    const { stdout, code } = await run(['top', 'node', '--no-headers']);
    expect(code).toBe(0);
    const [name, cpu, cpuPct, memory, memPct] = stdout.trim().split(/\s+/);
    expect(name).toBe('sandbox-node');
    expect(cpu).toMatch(/^\d+m$/);
    expect(cpuPct).toMatch(/^\d+%$/);
    expect(memory).toMatch(/^\d+Mi$/);
    expect(memPct).toMatch(/^\d+%$/);
    expect(Number(memPct.replace('%', ''))).toBeGreaterThan(0);
  });

  it('leaves no container process behind once the sandbox stops', async () => {
    await sandbox.stop();
    expect(findSandboxProcesses(sandbox.cluster.id)).toEqual([]);
  });
});
