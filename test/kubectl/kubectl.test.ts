import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import { findSandboxProcesses, startSandbox, Sandbox } from '@internal/sandbox-cluster';
import { CommandResult, kubectlBinaries, requireTool, runKubectl, waitFor, workloadsDir } from '../support/tools';

/**
 * Real kubectl (1.31, 1.32, 1.33 where installed) against a fresh sandbox: the sandbox is only
 * useful if kubectl cannot tell it from a real cluster for the read side.
 */
jest.setTimeout(120_000);

const haveKubectl = !!requireTool('kubectl', 'the kubectl fidelity tests need real kubectl');
// Without kubectl one placeholder row keeps the suite, skipped (describe.each refuses an empty table).
const binaries = haveKubectl ? kubectlBinaries(['1.31', '1.32', '1.33']) : [{ version: 'not installed', bin: 'kubectl' }];
const describeIf = haveKubectl ? describe : describe.skip;

let sandbox: Sandbox;
let kubeconfig: string;
let tmp: string;

type Result = CommandResult;

const run = (bin: string, args: string[], timeoutMs = 20_000): Promise<Result> => runKubectl(bin, kubeconfig, args, timeoutMs);

/** Runs a streaming kubectl command, collects its output for `ms`, then stops it. */
function stream(bin: string, args: string[], ms: number, during?: () => void): Promise<{ out: string; exited: boolean }> {
  return new Promise(resolve => {
    const child = spawn(bin, args, { env: { ...process.env, KUBECONFIG: kubeconfig } });
    let out = '';
    let exited = false;
    child.stdout.on('data', d => (out += d));
    child.stderr.on('data', d => (out += d));
    child.on('exit', () => (exited = true));
    if (during) setTimeout(during, ms / 2);
    setTimeout(() => {
      const wasExited = exited;
      child.kill('SIGKILL');
      resolve({ out, exited: wasExited });
    }, ms);
  });
}

function podName(prefix: string): string {
  const pod = sandbox.cluster.store.list('pods', 'default').find(p => p.metadata.name.startsWith(prefix));
  if (!pod) throw new Error(`no pod ${prefix}*`);
  return pod.metadata.name;
}

beforeAll(async () => {
  if (!haveKubectl) return;
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kt-kubectl-'));
  kubeconfig = path.join(tmp, 'kubeconfig');
  sandbox = await startSandbox({ workloads: [workloadsDir], kubeconfigPath: kubeconfig, backoffBaseMs: 1000, pullDelayMs: 20 });
  // Let search-indexer crash once and restart, so it has a previous container.
  await waitFor('search-indexer to restart', () => {
    const pod = sandbox.cluster.store.list('pods', 'default').find(p => p.metadata.name.startsWith('search-indexer'));
    const status = (pod?.status as { containerStatuses?: Array<{ restartCount: number }> })?.containerStatuses?.[0];
    return status && status.restartCount >= 1 ? true : undefined;
  });
});

afterAll(async () => {
  await sandbox?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

describeIf.each(binaries.map(b => [b.version, b.bin]))('kubectl %s', (_version, bin) => {
  it('get svc shows the apiserver\'s Service and the demo\'s, with cluster IPs and ports', async () => {
    const r = await run(bin, ['get', 'svc', '-o', 'wide']);
    expect(r.stderr).toBe('');
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)\s+AGE\s+SELECTOR$/);
    expect(lines.find(l => l.startsWith('kubernetes '))).toMatch(/^kubernetes\s+ClusterIP\s+10\.96\.0\.1\s+<none>\s+443\/TCP\s+\S+\s+<none>$/);
    expect(lines.find(l => l.startsWith('payments-api '))).toMatch(/^payments-api\s+ClusterIP\s+10\.96\.\d+\.\d+\s+<none>\s+80\/TCP\s+\S+\s+app\.kubernetes\.io\/name=payments-api$/);
    expect(lines.some(l => l.startsWith('opensearch '))).toBe(false);
  });

  it('get pods -A -o wide shows every demo pod with its state', async () => {
    const r = await run(bin, ['get', 'pods', '-A', '-o', 'wide']);
    expect(r.stderr).toBe('');
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^NAMESPACE\s+NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES$/);
    const row = (prefix: string) => lines.find(l => l.split(/\s+/)[1]?.startsWith(prefix)) ?? '';
    expect(row('payments-api')).toMatch(/^default\s+payments-api-\S+\s+3\/3\s+Running\s+0\s+\S+\s+10\.244\.0\.\d+\s+sandbox-node\s+<none>\s+<none>$/);
    // Crash-looping: between crashes it may briefly run, so READY is 0/1 or 1/1.
    expect(row('search-indexer')).toMatch(/\s[01]\/1\s+(CrashLoopBackOff|Error|Running)\s+\d+ \(\S+ ago\)\s/);
    expect(row('reports-legacy')).toMatch(/\s0\/1\s+(ErrImagePull|ImagePullBackOff)\s+0\s/);
    expect(row('gpu-trainer')).toMatch(/\s0\/1\s+Pending\s+0\s+\S+\s+<none>\s+<none>\s/);
  });

  it('describe pod shows containers, state and events', async () => {
    const r = await run(bin, ['describe', 'pod', podName('search-indexer')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Controlled By:\s+ReplicaSet\/search-indexer-/);
    expect(r.stdout).toMatch(/Last State:\s+Terminated\n\s+Reason:\s+Error\n\s+Exit Code:\s+1/);
    expect(r.stdout).toMatch(/Events:\n\s+Type\s+Reason\s+Age\s+From\s+Message/);
    expect(r.stdout).toMatch(/Normal\s+Scheduled\s+.*default-scheduler\s+Successfully assigned default\/search-indexer-/);
    expect(r.stdout).toMatch(/Normal\s+Started\s+\S+( \(x\d+ over \S+\))?\s+kubelet\s+Started container indexer/);
    const pending = await run(bin, ['describe', 'pod', 'gpu-trainer']);
    expect(pending.stdout).toMatch(/Warning\s+FailedScheduling\s+.*default-scheduler\s+0\/1 nodes are available: 1 node\(s\) didn't match Pod's node affinity\/selector/);
    expect(pending.stdout).toMatch(/Node-Selectors:\s+accelerator=nvidia-a100/);
  });

  it('logs reads a container log, with RFC3339Nano timestamps and tail', async () => {
    const pod = podName('payments-api');
    const all = await run(bin, ['logs', pod, '-c', 'api']);
    expect(all.stdout.split('\n')[0]).toBe('payments-api starting on :8080');
    const tail = await run(bin, ['logs', pod, '-c', 'metrics-agent', '--tail=1', '--timestamps']);
    expect(tail.stdout).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z scraped 42 series from 127\.0\.0\.1:8080\/metrics\n$/);
    // Without -c kubectl picks the default-container annotation, as on a real cluster.
    const defaulted = await run(bin, ['logs', pod, '--tail=1']);
    expect(defaulted.code).toBe(0);
    expect(defaulted.stdout).not.toContain('scraped');
  });

  it('logs -f streams new lines as they are written', async () => {
    const pod = podName('payments-api');
    const before = (await run(bin, ['logs', pod, '-c', 'api'])).stdout.trim().split('\n').length;
    const { out, exited } = await stream(bin, ['logs', '-f', pod, '-c', 'api'], 3500);
    expect(exited).toBe(false);
    const lines = out.trim().split('\n');
    expect(lines[0]).toBe('payments-api starting on :8080');
    expect(lines.length).toBeGreaterThanOrEqual(before + 2);
  });

  it('logs --previous shows the crashed container; a container without one gets the kubelet error', async () => {
    const prev = await run(bin, ['logs', podName('search-indexer'), '--previous']);
    expect(prev.stdout).toContain('ERROR: connection refused: opensearch:9200');
    const pod = podName('payments-api');
    const none = await run(bin, ['logs', pod, '-c', 'api', '--previous']);
    expect(none.code).not.toBe(0);
    expect(none.stderr).toContain(`previous terminated container "api" in pod "${pod}" not found`);
  });

  it('the log endpoint answers with Kubernetes error texts', async () => {
    const pod = podName('payments-api');
    const r = await run(bin, ['get', '--raw', `/api/v1/namespaces/default/pods/${pod}/log`]);
    expect(r.stderr).toContain(`a container name must be specified for pod ${pod}, choose one of: [api metrics-agent ledger]`);
    const bad = await run(bin, ['logs', pod, '-c', 'nope']);
    expect(bad.stderr).toContain(`container nope is not valid for pod ${pod}`);
    const missing = await run(bin, ['logs', 'no-such-pod']);
    expect(missing.stderr).toContain('pods "no-such-pod" not found');
  });

  it('get events --watch lists events and then streams new ones', async () => {
    const name = `watch-probe-${Math.random().toString(36).slice(2, 7)}`;
    const { out } = await stream(bin, ['get', 'events', '--watch'], 4000, () => {
      sandbox.cluster.createPod({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name, namespace: 'default' },
        spec: { containers: [{ name: 'c', image: 'sandbox.local/toolbox:1', command: ['sleep', '30'] }] },
      });
    });
    expect(out).toMatch(/LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+MESSAGE/);
    expect(out).toMatch(/Normal\s+ScalingReplicaSet\s+deployment\/payments-api\s+Scaled up replica set payments-api-\S+ from 0 to 1/);
    expect(out).toMatch(new RegExp(`Normal\\s+Scheduled\\s+pod/${name}\\s+Successfully assigned default/${name} to sandbox-node`));
    expect(out).toMatch(new RegExp(`Normal\\s+Started\\s+pod/${name}\\s+Started container c`));
    await sandbox.cluster.kubelet.deletePod('default', name, 0);
  });

  it('auth can-i follows each token\'s rules, and Forbidden names the verb and resource', async () => {
    expect((await run(bin, ['auth', 'can-i', 'get', 'pods', '--subresource=log'])).stdout.trim()).toBe('yes');
    const ro = await run(bin, ['--context', 'sandbox-readonly', 'auth', 'can-i', 'create', 'pods']);
    expect(ro.stdout.trim()).toBe('no');
    expect(ro.code).toBe(1);
    const nologs = await run(bin, ['--context', 'sandbox-nologs', 'auth', 'can-i', 'get', 'pods', '--subresource=log']);
    expect(nologs.stdout.trim()).toBe('no');
    const denied = await run(bin, ['--context', 'sandbox-nologs', 'logs', podName('payments-api'), '-c', 'api']);
    expect(denied.stderr).toContain(
      'is forbidden: User "system:serviceaccount:kube-system:sandbox-nologs" cannot get resource "pods/log" in API group "" in the namespace "default"',
    );
  });

  it('exec runs a command over WebSocket: stdout, stderr, stdin and the exit code', async () => {
    const pod = podName('payments-api');
    const r = await run(bin, ['exec', pod, '-c', 'api', '--', 'sh', '-c', 'echo out; echo err >&2; exit 3']);
    expect(r.stdout).toBe('out\n');
    expect(r.stderr).toContain('err\n');
    expect(r.stderr).toContain('command terminated with exit code 3');
    expect(r.code).toBe(3);
    const piped = await new Promise<string>(resolve => {
      const child = spawn(bin, ['exec', '-i', pod, '-c', 'api', '--', 'cat'], { env: { ...process.env, KUBECONFIG: kubeconfig } });
      let out = '';
      child.stdout.on('data', d => (out += d));
      child.on('exit', () => resolve(out));
      child.stdin.end('from stdin\n');
    });
    expect(piped).toBe('from stdin\n');
    const denied = await run(bin, ['--context', 'sandbox-readonly', 'exec', pod, '-c', 'api', '--', 'true']);
    expect(denied.stderr).toContain('cannot create resource "pods/exec" in API group "" in the namespace "default"');
    const bad = await run(bin, ['exec', pod, '-c', 'nope', '--', 'true']);
    expect(bad.stderr).toContain(`container nope is not valid for pod ${pod}`);
  });

  it('exec ends its command when the client goes away', async () => {
    const marker = `${Math.floor(Math.random() * 1e6) + 1000}`;
    const sleeping = () =>
      findSandboxProcesses(sandbox.cluster.id).filter(pid => {
        try {
          // The command itself, not the runtime's wrappers that name it in their arguments.
          return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').startsWith(`sleep ${marker}`);
        } catch {
          return false;
        }
      });
    const child = spawn(bin, ['exec', podName('payments-api'), '-c', 'api', '--', 'sleep', marker], { env: { ...process.env, KUBECONFIG: kubeconfig } });
    await waitFor('the exec to run', () => (sleeping().length ? true : undefined), 10_000);
    expect(sleeping()).toHaveLength(1);
    child.kill('SIGKILL');
    await waitFor('the exec to end', () => (sleeping().length === 0 ? true : undefined), 5_000).catch(() => undefined);
    expect(sleeping()).toEqual([]);
  });
});
