import { execFile, spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import { findSandboxProcesses, Pod, startSandbox, Sandbox } from '@internal/sandbox-cluster';
import { kubectlBinaries, requireTool, waitFor, workloadsDir } from '../support/tools';
import { Terminal } from '../support/tmux';

/**
 * Real kubectl (1.31, 1.32, 1.33 where installed) drives the sandbox's streaming and debugging
 * protocols: interactive exec on a terminal, attach, kubectl debug with a target and with a copy.
 * Then the containers' isolation, seen from inside and from the host.
 */
jest.setTimeout(180_000);

const haveTools = !!requireTool('kubectl', 'the kubectl fidelity tests need real kubectl') && !!requireTool('tmux', 'interactive kubectl sessions run in tmux');
// Without the tools one placeholder row keeps the suite, skipped (describe.each refuses an empty table).
const binaries = haveTools ? kubectlBinaries(['1.31', '1.32', '1.33']) : [{ version: 'not installed', bin: 'kubectl' }];
const describeIf = haveTools ? describe : describe.skip;
const isolated = process.getuid?.() === 0 && process.platform === 'linux';
const describeIsolated = haveTools && isolated ? describe : describe.skip;
if (!isolated) process.stderr.write('SKIP: container isolation tests need root on Linux\n');

let sandbox: Sandbox;
let kubeconfig: string;
let tmp: string;

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

function run(bin: string, args: string[], input?: string, timeoutMs = 30_000): Promise<Result> {
  return new Promise(resolve => {
    const child = execFile(bin, args, { env: { ...process.env, KUBECONFIG: kubeconfig }, timeout: timeoutMs }, (err, stdout, stderr) => {
      let code = 0;
      if (err) code = typeof err.code === 'number' ? err.code : 1;
      resolve({ code, stdout, stderr });
    });
    if (input !== undefined) child.stdin!.end(input);
  });
}

const pods = () => sandbox.cluster.store.list<Pod>('pods', 'default');
const payments = () => pods().find(p => p.metadata.name.startsWith('payments-api'))!.metadata.name;

function createPod(name: string, container: Record<string, unknown>, spec: Record<string, unknown> = {}) {
  sandbox.cluster.createPod({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' }, spec: { containers: [{ name: 'main', ...container }], ...spec } } as Pod);
  return waitFor(`${name} to run`, () => {
    const pod = sandbox.cluster.store.get<Pod>('pods', 'default', name);
    const state = pod?.status?.containerStatuses?.[0]?.state;
    return state && ('running' in state || 'waiting' in state && state.waiting.reason === 'CreateContainerConfigError') ? pod : undefined;
  });
}

const mountsOf = (dir: string) => fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter(l => l.includes(dir));

beforeAll(async () => {
  if (!haveTools) return;
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kt-kubectl-streams-'));
  kubeconfig = path.join(tmp, 'kubeconfig');
  sandbox = await startSandbox({ workloads: [workloadsDir], kubeconfigPath: kubeconfig, pullDelayMs: 20 });
  await waitFor('payments-api to run', () => {
    const pod = pods().find(p => p.metadata.name.startsWith('payments-api'));
    return pod?.status?.containerStatuses?.every(s => 'running' in s.state) ? true : undefined;
  });
});

afterAll(async () => {
  await sandbox?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

describeIf.each(binaries.map(b => [b.version, b.bin]))('kubectl %s', (version, bin) => {
  const env = () => ({ KUBECONFIG: kubeconfig, KUBECTL_REMOTE_COMMAND_WEBSOCKETS: 'true' });
  const tag = version.replace(/\D/g, '');

  it('exec -it runs a shell on a terminal: id, hostname, stty size follows a resize, exit code', async () => {
    const term = new Terminal();
    try {
      const pod = payments();
      await term.start(`${bin} exec -it ${pod} -c api -- sh`, env(), 80, 24);
      await term.waitFor(/# $/m);
      await term.enter('id -u; hostname; stty size');
      await term.waitFor(new RegExp(`^0\\n${pod}\\n24 80$`, 'm'));
      await term.resize(100, 30);
      await new Promise(r => setTimeout(r, 300));
      await term.enter('stty size');
      await term.waitFor(/^30 100$/m);
      await term.enter('exit 4');
      const screen = await term.waitFor(/\[exited 4\]/);
      expect(screen).toContain('command terminated with exit code 4');
    } finally {
      await term.close();
    }
  });

  it('debug -it adds a tool container in the target\'s pid namespace, then a duplicate name is refused', async () => {
    const pod = payments();
    const name = `dbg-${tag}`;
    const term = new Terminal();
    try {
      await term.start(`${bin} debug -it ${pod} --image=sandbox.local/debug-tools:1 --target=ledger -c ${name} -- sh`, env());
      await term.waitFor(/If you don't see a command prompt, try pressing enter\./);
      await term.enter('');
      await term.enter('hostname; ps -eo pid,args; ls /proc/1/root/app');
      const screen = await term.waitFor(/^node\s+server\.js$/m);
      // The distroless container's program is pid 1 of the namespace the tool container joined.
      expect(screen).toMatch(/^\s+1 \/app\/node \/app\/server\.js$/m);
      expect(screen).toContain(pod);
      await term.enter('exit');
      await term.waitFor(/\[exited 0\]/);
    } finally {
      await term.close();
    }
    const state = await waitFor('the debug container to terminate', async () => {
      const r = await run(bin, ['get', 'pod', pod, '-o', `jsonpath={.status.ephemeralContainerStatuses[?(@.name=="${name}")].state.terminated.reason}`]);
      return r.stdout || undefined;
    });
    expect(state).toBe('Completed');
    // The same name again: strategic merge matches the existing item by name, so nothing changes.
    const before = sandbox.cluster.store.get<Pod>('pods', 'default', pod)!.spec.ephemeralContainers;
    const again = await run(bin, ['debug', pod, '--image=sandbox.local/debug-tools:1', '--target=ledger', '-c', name, '--', 'true']);
    expect(again.stderr).not.toMatch(/error/i);
    expect(sandbox.cluster.store.get<Pod>('pods', 'default', pod)!.spec.ephemeralContainers).toEqual(before);
    // A name another container has: the apiserver's Duplicate error.
    const clash = await run(bin, ['debug', pod, '--image=sandbox.local/debug-tools:1', '--target=ledger', '-c', 'ledger', '--', 'true']);
    expect(clash.code).not.toBe(0);
    expect(clash.stderr).toMatch(/Pod "payments-api-[\w-]+" is invalid: spec\.ephemeralContainers\[\d+\]\.name: Duplicate value: "ledger"/);
  });

  it('debug --copy-to makes a copy with the command replaced; delete removes it', async () => {
    const pod = payments();
    const copy = `${pod}-copy-${tag}`;
    const made = await run(bin, ['debug', pod, `--copy-to=${copy}`, '--container=api', '--', 'sleep', '1d']);
    expect(made.stderr).not.toMatch(/error/i);
    const spec = await waitFor('the copy to run', () => {
      const p = sandbox.cluster.store.get<Pod>('pods', 'default', copy);
      return p?.status?.containerStatuses?.find(s => s.name === 'api' && 'running' in s.state) ? p : undefined;
    });
    expect(spec.spec.containers.find(c => c.name === 'api')?.command).toEqual(['sleep', '1d']);
    const inside = await run(bin, ['exec', copy, '-c', 'api', '--', 'sh', '-c', 'cat /proc/1/cmdline | tr "\\0" " "']);
    expect(inside.stdout.trim()).toBe('sleep 1d');
    const deleted = await run(bin, ['delete', 'pod', copy, '--grace-period=1']);
    expect(deleted.stdout).toContain(`pod "${copy}" deleted`);
    expect(sandbox.cluster.store.get('pods', 'default', copy)).toBeUndefined();
  });

  it('attach -i writes to a running container\'s stdin and reads its output', async () => {
    const name = `attach-${tag}`;
    await createPod(name, { image: 'sandbox.local/toolbox:1', stdin: true, command: ['sh', '-c', 'while read l; do echo "got $l"; done'] });
    const child = spawn(bin, ['attach', '-i', name], { env: { ...process.env, ...env() } });
    let out = '';
    child.stdout.on('data', d => (out += d));
    child.stderr.on('data', d => (out += d));
    try {
      await new Promise(r => setTimeout(r, 1000));
      child.stdin.write('hello\n');
      await waitFor('the echo', () => (out.includes('got hello') ? true : undefined), 10_000);
    } finally {
      child.kill('SIGKILL');
    }
    const denied = await run(bin, ['--context', 'sandbox-readonly', 'attach', name]);
    expect(denied.stderr).toContain('cannot create resource "pods/attach" in API group "" in the namespace "default"');
    // Leaving an attach leaves the container running.
    await new Promise(r => setTimeout(r, 300));
    const state = sandbox.cluster.store.get<Pod>('pods', 'default', name)?.status?.containerStatuses?.[0]?.state;
    expect(state && 'running' in state).toBe(true);
    await sandbox.cluster.kubelet.deletePod('default', name, 0);
  });
});

describeIsolated('isolated containers', () => {
  const bin = 'kubectl';
  const exec = (pod: string, container: string, script: string) => run(bin, ['exec', pod, '-c', container, '--', 'sh', '-c', script]);

  it('have their own root, pid and uts namespaces, a read-only /usr and a private /etc', async () => {
    const pod = payments();
    const r = await exec(pod, 'api', 'hostname; tr "\\0" " " < /proc/1/cmdline | cut -c1-5; ls /; touch /usr/x 2>&1; useradd kt-intruder && grep -c kt-intruder /etc/passwd; ps -e | wc -l');
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe(pod);
    expect(lines[1]).toBe('sh -c'); // pid 1 is the container's own command
    expect(r.stdout).toMatch(/Read-only file system/);
    expect(r.stdout).toMatch(/^1$/m); // the user exists inside
    expect(fs.readFileSync('/etc/passwd', 'utf8')).not.toContain('kt-intruder'); // and not on the host
    // The container sees only its own processes (sh, sleep, the exec'd ones), not the host's hundreds.
    expect(Number(lines[lines.length - 1])).toBeLessThan(10);
    expect(mountsOf(sandbox.cluster.dataDir)).toEqual([]); // mounts exist only inside
    // The pod's containers share one ipc namespace (a message queue made in one is seen in the other).
    const made = await exec(pod, 'api', 'ipcmk -Q | grep -o "[0-9]*$"');
    const id = made.stdout.trim();
    expect(id).toMatch(/^\d+$/);
    expect((await exec(pod, 'metrics-agent', 'ipcs -q')).stdout).toMatch(new RegExp(`\\s${id}\\s`));
    expect(fs.readFileSync('/proc/sysvipc/msg', 'utf8').split('\n').some(l => l.trim().split(/\s+/)[1] === id)).toBe(false); // not the host's
    await exec(pod, 'api', `ipcrm -q ${id}`);
  });

  it('a distroless container has no shell; exec says so as the runtime does', async () => {
    const r = await run(bin, ['exec', payments(), '-c', 'ledger', '--', 'sh']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('exec: "sh": executable file not found in $PATH');
    const logs = await run(bin, ['logs', payments(), '-c', 'ledger']);
    expect(logs.stdout).toContain('"msg":"ledger started"');
  });

  it('honours runAsUser and refuses root with runAsNonRoot', async () => {
    await createPod('as-user', { image: 'sandbox.local/toolbox:1', securityContext: { runAsUser: 1000, runAsGroup: 3000 } });
    const r = await exec('as-user', 'main', 'id -u; id -g; touch /etc/x 2>&1');
    expect(r.stdout.split('\n').slice(0, 2)).toEqual(['1000', '3000']);
    expect(r.stdout).toContain('Permission denied');
    await createPod('non-root', { image: 'sandbox.local/toolbox:1' }, { securityContext: { runAsNonRoot: true } });
    const got = await run(bin, ['get', 'pod', 'non-root']);
    expect(got.stdout).toContain('CreateContainerConfigError');
    const described = await run(bin, ['get', 'pod', 'non-root', '-o', 'jsonpath={.status.containerStatuses[0].state.waiting.message}']);
    expect(described.stdout).toMatch(/^container has runAsNonRoot and image will run as root \(pod: "non-root_default\(.+\)", container: main\)$/);
    await sandbox.cluster.kubelet.deletePod('default', 'as-user', 0);
    await sandbox.cluster.kubelet.deletePod('default', 'non-root', 0);
  });

  it('shareProcessNamespace puts the pod\'s containers in one pid namespace; activeDeadlineSeconds fails the pod', async () => {
    sandbox.cluster.createPod({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'shared', namespace: 'default' },
      spec: {
        shareProcessNamespace: true,
        activeDeadlineSeconds: 4,
        containers: [
          { name: 'a', image: 'sandbox.local/toolbox:1', command: ['sleep', '1001'] },
          { name: 'b', image: 'sandbox.local/toolbox:1', command: ['sleep', '1002'] },
        ],
      },
    } as Pod);
    await waitFor('shared to run', () => sandbox.cluster.store.get<Pod>('pods', 'default', 'shared')?.status?.containerStatuses?.every(s => 'running' in s.state) || undefined);
    const r = await exec('shared', 'a', 'ps -eo args');
    expect(r.stdout).toContain('sleep 1001');
    expect(r.stdout).toContain('sleep 1002');
    const failed = await waitFor('the deadline', () => {
      const p = sandbox.cluster.store.get<Pod>('pods', 'default', 'shared');
      return p?.status?.phase === 'Failed' ? p : undefined;
    });
    expect(failed.status).toMatchObject({ reason: 'DeadlineExceeded', message: 'Pod was active on the node longer than the specified deadline' });
    await sandbox.cluster.kubelet.deletePod('default', 'shared', 0);
  });
});

describeIf('after every session', () => {
  it('stopping the sandbox leaves no container process, mount or folder', async () => {
    const { id, dataDir } = sandbox.cluster;
    await sandbox.stop();
    expect(findSandboxProcesses(id)).toEqual([]);
    expect(mountsOf(dataDir)).toEqual([]);
    expect(fs.existsSync(dataDir)).toBe(false);
  });
});
