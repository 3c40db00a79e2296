import { spawnSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findSandboxProcesses, Pod, Sandbox, startSandbox } from '@internal/sandbox-cluster';
import { waitFor } from '../support/tools';

/**
 * The sandbox through the official Kubernetes Python client (Debian's python3-kubernetes), a client
 * nobody here wrote: it writes booleans as `True`/`False`, watches with `watch=True`, and speaks
 * exec over `v4.channel.k8s.io` only. Each scenario runs python/client_checks.py, which drives the
 * client as a user would and prints what it saw; the checks are here.
 */
jest.setTimeout(90_000);

/** A python3 that has the `kubernetes` module (Debian's is /usr/bin/python3, beside any pyenv). */
const python = ['/usr/bin/python3', 'python3'].find(p => spawnSync(p, ['-c', 'import kubernetes'], { stdio: 'ignore' }).status === 0);
if (!python && process.env.CI === 'true') throw new Error('the Python client test needs python3-kubernetes (apt-get install python3-kubernetes)');
const describeIfPython = python ? describe : describe.skip;
if (!python) console.warn('skipped: the official Kubernetes Python client is not installed (apt-get install python3-kubernetes)');

let sandbox: Sandbox;
let tmp: string;
let kubeconfig: string;

/** Runs one scenario; resolves with what the Python client saw. */
function scenario<T>(name: string, args: Record<string, unknown> = {}): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(python!, [path.join(__dirname, 'python', 'client_checks.py')], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', d => (out += d));
    child.stderr.on('data', d => (err += d));
    child.on('error', reject);
    // A scenario that cannot end (a watch that never expires) fails instead of holding the test.
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the Python client's ${name} did not finish within 30 s:\n${err}`));
    }, 30_000);
    child.on('exit', code => {
      clearTimeout(timer);
      if (code !== 0) reject(new Error(`the Python client's ${name} failed (exit ${code}):\n${err}`));
      else {
        try {
          resolve(JSON.parse(out) as T);
        } catch (e) {
          reject(new Error(`the Python client's ${name} printed no JSON: ${out}\n${err}`));
        }
      }
    });
    child.stdin.end(JSON.stringify({ kubeconfig, scenario: name, args }));
  });
}

const running = (name: string) =>
  waitFor(`${name} to run`, () => sandbox.cluster.store.get<Pod>('pods', 'default', name)?.status?.containerStatuses?.every(s => 'running' in s.state) || undefined);

function createPod(name: string, labels: Record<string, string>, spec: Pod['spec']) {
  sandbox.cluster.createPod({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', labels }, spec } as Pod);
}

describeIfPython('the official Kubernetes Python client against the sandbox', () => {
  beforeAll(async () => {
    sandbox = await startSandbox({ pullDelayMs: 10 });
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kt-python-client-'));
    kubeconfig = path.join(tmp, 'kubeconfig');
    fs.writeFileSync(
      kubeconfig,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 's', cluster: { server: sandbox.url, 'certificate-authority-data': Buffer.from(sandbox.caData).toString('base64') } }],
        users: [{ name: 'admin', user: { token: sandbox.tokens.admin } }],
        contexts: [{ name: 's', context: { cluster: 's', user: 'admin' } }],
        'current-context': 's',
      }),
    );
    createPod('web', { app: 'web' }, {
      containers: [
        { name: 'app', image: 'sandbox.local/toolbox:1', command: ['sh', '-c', 'i=0; while true; do i=$((i+1)); echo "tick $i"; sleep 0.1; done'] },
        { name: 'side', image: 'sandbox.local/toolbox:1', command: ['sleep', '3600'] },
      ],
    });
    createPod('other', { app: 'other' }, { containers: [{ name: 'c', image: 'sandbox.local/toolbox:1', command: ['sleep', '3600'] }] });
    createPod('crasher', { app: 'crasher' }, { containers: [{ name: 'c', image: 'sandbox.local/toolbox:1', command: ['sh', '-c', 'echo "run once"; exit 1'] }] });
    await running('web');
    await running('other');
    await waitFor('crasher to restart', () => ((sandbox.cluster.store.get<Pod>('pods', 'default', 'crasher')?.status?.containerStatuses?.[0]?.restartCount ?? 0) > 0 ? true : undefined), 30_000);
  });

  afterAll(async () => {
    await sandbox?.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('lists and gets pods, and gets the 404 Status for a missing one', async () => {
    const r = await scenario<{ names: string[]; resourceVersion: string; pod: { name: string; phase: string; containers: string[] }; missing: unknown }>('list_get', { pod: 'web' });
    expect(r.names).toEqual(['crasher', 'other', 'web']);
    expect(r.resourceVersion).toMatch(/^\d+$/);
    expect(r.pod).toEqual({ name: 'web', phase: 'Running', containers: ['app', 'side'] });
    expect(r.missing).toEqual({ status: 404, reason: 'NotFound', message: 'pods "no-such-pod" not found' });
  });

  it('selects by label and by field, both at once, and is told which field is not supported', async () => {
    const r = await scenario<Record<string, unknown>>('selectors', { labelSelector: 'app in (web,crasher)', fieldSelector: 'metadata.name=other' });
    expect(r.byLabel).toEqual(['crasher', 'web']);
    expect(r.byField).toEqual(['other']);
    expect(r.labelNotRunning).toEqual(['crasher'].filter(n => sandbox.cluster.store.get<Pod>('pods', 'default', n)?.status?.phase !== 'Running'));
    expect(r.badField).toMatchObject({ status: 400, reason: 'BadRequest', message: 'field label not supported: spec.nope' });
  });

  it('reads logs: tail, timestamps (sent as True), follow, previous, and the 400s for a wrong or missing container', async () => {
    const r = await scenario<{ tail: string[]; stamped: string[]; followed: string[]; previous: string[]; missingContainer: unknown; noContainer: unknown }>('logs', { pod: 'web', container: 'app', crashing: 'crasher' });
    expect(r.tail).toHaveLength(3);
    r.tail.forEach(l => expect(l).toMatch(/^tick \d+$/));
    expect(r.stamped).toHaveLength(2);
    r.stamped.forEach(l => expect(l).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z tick \d+$/));
    const ticks = r.followed.map(l => Number(l.split(' ')[1]));
    expect(ticks).toHaveLength(4);
    ticks.slice(1).forEach((n, i) => expect(n).toBe(ticks[i] + 1)); // live, nothing lost or repeated
    expect(r.previous).toEqual(['run once']);
    expect(r.missingContainer).toEqual({ status: 400, reason: 'BadRequest', message: 'container nope is not valid for pod web' });
    expect(r.noContainer).toEqual({ status: 400, reason: 'BadRequest', message: 'a container name must be specified for pod web, choose one of: [app side]' });
  });

  it('watches from a resourceVersion (sent as watch=True): the pod created and deleted meanwhile, in order', async () => {
    const rv = String(sandbox.cluster.store.resourceVersion);
    const watching = scenario<{ events: Array<{ type: string; name: string; resourceVersion: string }> }>('watch_events', { resourceVersion: rv, name: 'brief' });
    createPod('brief', { app: 'brief' }, { containers: [{ name: 'c', image: 'sandbox.local/toolbox:1', command: ['sleep', '3600'] }] });
    await running('brief');
    await sandbox.cluster.kubelet.deletePod('default', 'brief', 0);
    const { events } = await watching;
    const brief = events.filter(e => e.name === 'brief');
    expect(brief[0].type).toBe('ADDED');
    expect(brief.at(-1)!.type).toBe('DELETED');
    const versions = events.map(e => Number(e.resourceVersion));
    expect(versions).toEqual([...versions].sort((a, b) => a - b));
    expect(versions[0]).toBeGreaterThan(Number(rv));
  });

  it('gets 410 Expired for a watch from a compacted resourceVersion (after its one retry)', async () => {
    const rv = String(sandbox.cluster.store.resourceVersion);
    createPod('churn', {}, { containers: [{ name: 'c', image: 'sandbox.local/toolbox:1', command: ['sleep', '3600'] }] });
    await running('churn');
    sandbox.cluster.store.compact();
    const r = await scenario<{ error: { status: number; reason: string } | null }>('watch_expired', { resourceVersion: rv });
    expect(r.error?.status).toBe(410);
    expect(r.error?.reason).toMatch(/^Expired: too old resource version: \d+ \(\d+\)$/);
  });

  it('execs over v4.channel.k8s.io: stdin in, stdout and stderr apart, and the exit code', async () => {
    const r = await scenario<{ stdout: string; stderr: string; returncode: number; simple: string }>('exec', { pod: 'web', container: 'side' });
    expect(r).toEqual({ stdout: 'out:hello\n', stderr: 'err:hello\n', returncode: 3, simple: 'fine\n' });
  });

  it('adds an ephemeral container by patch, sees it running in the status, execs in it, and may not change it', async () => {
    const r = await scenario<{ spec: string[]; status: unknown; exec: string; change: { status: number; reason: string; message: string } }>('ephemeral', { pod: 'web', target: 'app' });
    expect(r.spec).toEqual(['debugger']);
    expect(r.status).toEqual({ name: 'debugger', running: true, image: 'sandbox.local/toolbox:1' });
    expect(r.exec).toBe('in-debugger\n');
    expect(r.change).toMatchObject({ status: 422, reason: 'Invalid' });
  });

  it('leaves no container process behind once the sandbox stops', async () => {
    await sandbox.stop();
    expect(findSandboxProcesses(sandbox.cluster.id)).toEqual([]);
  });
});
