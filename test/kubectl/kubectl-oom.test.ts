import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findSandboxProcesses, Pod, Sandbox, startSandbox } from '@internal/sandbox-cluster';
import { requireTool, runKubectl, waitFor, workloadsDir } from '../support/tools';

/**
 * The demo's invoice-renderer, OOM-killed against its memory limit, as kubectl shows it: its memory
 * climbing in `kubectl top`, then `OOMKilled` with exit code 137, CrashLoopBackOff, the previous
 * run's log, its limits and QoS class in `describe`. The sandbox enforces the limit for real.
 */
jest.setTimeout(120_000);

const kubectl = requireTool('kubectl', 'the OOM tests need real kubectl');
const describeIf = kubectl ? describe : describe.skip;
const LIMIT_MI = 64;

let sandbox: Sandbox;
let tmp: string;
let kubeconfig: string;

const run = (args: string[]) => runKubectl(kubectl!, kubeconfig, args);

const podName = () => sandbox.cluster.store.list<Pod>('pods', 'default').find(p => p.metadata.name.startsWith('invoice-renderer-'))!.metadata.name;

describeIf('kubectl and an OOM-killed container', () => {
  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kt-oom-'));
    kubeconfig = path.join(tmp, 'kubeconfig');
    // The demo's own manifest, its batches ten times as fast so a run lasts seconds, not half a minute.
    const manifest = fs.readFileSync(path.join(workloadsDir, 'invoice-renderer.yaml'), 'utf8');
    const fast = manifest.replace(/(name: BATCH_PAUSE_SECONDS\s+value: )"1"/, '$1"0.1"');
    if (fast === manifest) throw new Error('invoice-renderer.yaml no longer sets BATCH_PAUSE_SECONDS to "1"');
    fs.writeFileSync(path.join(tmp, 'invoice-renderer.yaml'), fast);
    sandbox = await startSandbox({ workloads: [path.join(tmp, 'invoice-renderer.yaml')], kubeconfigPath: kubeconfig, pullDelayMs: 10, backoffBaseMs: 1000, metricsIntervalMs: 500 });
  });

  afterAll(async () => {
    await sandbox?.stop();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('shows its memory climbing toward the limit in kubectl top', async () => {
    const seen = new Set<number>();
    await waitFor('two readings of its memory on the way up', async () => {
      const { stdout } = await run(['top', 'pod', '--no-headers']);
      const mi = Number(/Mi\b/.test(stdout) ? stdout.trim().split(/\s+/)[2].replace(/Mi$/, '') : NaN);
      if (mi > 0 && mi <= LIMIT_MI) seen.add(mi);
      return [...seen].some(m => m >= 8) && seen.size >= 2 ? true : undefined;
    }, 60_000);
    expect(Math.max(...seen)).toBeLessThanOrEqual(LIMIT_MI);
  });

  it('reports OOMKilled with exit code 137, restarts it and backs off', async () => {
    const jsonpath = '{.status.containerStatuses[0].lastState.terminated.reason} {.status.containerStatuses[0].lastState.terminated.exitCode}';
    const last = await waitFor('the first OOM kill', async () => {
      const { stdout } = await run(['get', 'pod', podName(), '-o', `jsonpath=${jsonpath}`]);
      return stdout.trim() || undefined;
    }, 60_000);
    expect(last).toBe('OOMKilled 137');
    const status = await waitFor('CrashLoopBackOff in kubectl get', async () => {
      const { stdout } = await run(['get', 'pods', '--no-headers']);
      return /CrashLoopBackOff/.test(stdout) ? stdout : undefined;
    }, 60_000);
    expect(status).toMatch(/^invoice-renderer-\S+\s+0\/1\s+CrashLoopBackOff\s+\d+ \(\S+ ago\)\s/);
    const pod = sandbox.cluster.store.get<Pod>('pods', 'default', podName())!;
    const backingOff = await waitFor('a back-off', () => {
      const state = sandbox.cluster.store.get<Pod>('pods', 'default', podName())!.status!.containerStatuses![0].state;
      return 'waiting' in state && state.waiting.reason === 'CrashLoopBackOff' ? state.waiting.message : undefined;
    }, 60_000);
    expect(backingOff).toMatch(new RegExp(`^back-off \\d+s restarting failed container=renderer pod=${podName()}_default\\(${pod.metadata.uid}\\)$`));
  });

  it('describe shows the OOM kill, the limits and the QoS class', async () => {
    const { stdout, code } = await run(['describe', 'pod', podName()]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/Last State:\s+Terminated\n\s+Reason:\s+OOMKilled\n\s+Exit Code:\s+137\n/);
    expect(stdout).toMatch(/Limits:\n\s+memory:\s+64Mi\n\s+Requests:\n\s+cpu:\s+50m\n\s+memory:\s+32Mi\n/);
    expect(stdout).toMatch(/QoS Class:\s+Burstable\n/);
    expect(stdout).toMatch(/Restart Count:\s+[1-9]\d*\n/);
  });

  it('keeps the killed run\'s log, cut off below the limit', async () => {
    const { stdout } = await run(['logs', podName(), '--previous']);
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toBe('invoice-renderer 1.4.0: rendering invoices for 2026-11');
    const held = Number(/loaded batch \d+: (\d+) MiB/.exec(lines[lines.length - 1])?.[1]);
    // The shell holds about twice its string while it appends: killed well before 64 MiB of invoices.
    expect(held).toBeGreaterThanOrEqual(8);
    expect(held).toBeLessThanOrEqual(LIMIT_MI);
  });

  it('enforces the limit in the kernel where it can, and leaves no cgroup or process behind', async () => {
    const asRoot = process.platform === 'linux' && process.getuid?.() === 0;
    expect(sandbox.cluster.kubelet.memory.kind).toMatch(asRoot ? /^cgroup v[12]$/ : /^watchdog$/);
    const cgroups = fs.readFileSync('/proc/self/cgroup', 'utf8');
    await sandbox.stop();
    expect(findSandboxProcesses(sandbox.cluster.id)).toEqual([]);
    const memoryPath = /^\d+:memory:(.*)$/m.exec(cgroups)?.[1];
    const parent = memoryPath !== undefined ? path.join('/sys/fs/cgroup/memory', memoryPath) : undefined;
    const left = parent && fs.existsSync(parent) ? fs.readdirSync(parent).filter(n => n.includes(sandbox.cluster.id)) : [];
    expect(left).toEqual([]);
  });
});
