import { PassThrough, Readable, Writable } from 'node:stream';
import https from 'node:https';
import { Attach, CoreV1Api, Exec, KubeConfig, PatchStrategy, setHeaderOptions, V1Pod, V1Status } from '@kubernetes/client-node';
import { findSandboxProcesses, Pod, Sandbox, startSandbox } from '@internal/sandbox-cluster';
import { waitFor } from '../support/tools';

/**
 * The sandbox's exec, attach and ephemeral containers through @kubernetes/client-node 1.4, the
 * client the backend plugin uses: its WebSocket handshake, lowercase resize frames, v5 stdin close.
 */
jest.setTimeout(60_000);

let sandbox: Sandbox;
let kc: KubeConfig;
let core: CoreV1Api;

const collect = () => {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write: (c: Buffer, _e, cb) => {
      chunks.push(Buffer.from(c));
      cb();
    },
  });
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
};

/** A terminal-like stdout: client-node sends its size on channel 4 and again on each 'resize'. */
class FakeTty extends PassThrough {
  rows = 24;
  columns = 80;
  resizeTo(columns: number, rows: number) {
    this.columns = columns;
    this.rows = rows;
    this.emit('resize');
  }
}

function createPod(name: string, spec: Pod['spec']) {
  sandbox.cluster.createPod({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' }, spec } as Pod);
  return waitFor(`${name} to run`, () => sandbox.cluster.store.get<Pod>('pods', 'default', name)?.status?.containerStatuses?.every(s => 'running' in s.state) || undefined);
}

beforeAll(async () => {
  sandbox = await startSandbox({ pullDelayMs: 10 });
  kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 's', server: sandbox.url, caData: Buffer.from(sandbox.caData).toString('base64') }],
    users: [{ name: 'admin', token: sandbox.tokens.admin }],
    contexts: [{ name: 's', cluster: 's', user: 'admin' }],
    currentContext: 's',
  });
  core = kc.makeApiClient(CoreV1Api);
  await createPod('web', {
    containers: [
      { name: 'app', image: 'sandbox.local/distroless:1' },
      { name: 'shell', image: 'sandbox.local/toolbox:1' },
    ],
  });
});

afterAll(() => sandbox.stop());

function exec(container: string, command: string[], opts: { stdin?: Readable; tty?: boolean; stdout?: Writable } = {}) {
  const out = collect();
  const err = collect();
  return new Promise<{ status: V1Status; stdout: string; stderr: string }>((resolve, reject) => {
    new Exec(kc)
      .exec('default', 'web', container, command, opts.stdout ?? out.stream, opts.tty ? null : err.stream, opts.stdin ?? null, opts.tty ?? false, status =>
        // The status arrives before the last output is flushed into the collectors.
        setImmediate(() => resolve({ status, stdout: out.text(), stderr: err.text() })),
      )
      .catch(reject);
  });
}

describe('client-node against the sandbox', () => {
  it('Exec: stdout, stderr and the exit code in the status', async () => {
    const r = await exec('shell', ['sh', '-c', 'echo out; echo err >&2; exit 3']);
    expect(r.stdout).toBe('out\n');
    expect(r.stderr).toBe('err\n');
    expect(r.status).toMatchObject({ status: 'Failure', reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: '3' }] } });
  });

  it('Exec: stdin round-trips and its end reaches the command (v5 close)', async () => {
    const r = await exec('shell', ['sh', '-c', 'cat; echo "[eof]"'], { stdin: Readable.from([Buffer.from('hello\nworld\n')]) });
    expect(r.stdout).toBe('hello\nworld\n[eof]\n');
    expect(r.status.status).toBe('Success');
  });

  it('Exec on a tty: lowercase resize frames change stty size', async () => {
    const tty = new FakeTty();
    let screen = '';
    tty.on('data', d => (screen += d));
    const stdin = new PassThrough();
    const done = exec('shell', ['sh'], { stdin, tty: true, stdout: tty as unknown as Writable });
    await waitFor('the prompt', () => (screen.includes('# ') ? true : undefined));
    stdin.write('stty size\n');
    await waitFor('24 80', () => (/^24 80\r?$/m.test(screen) ? true : undefined));
    tty.resizeTo(120, 40);
    await new Promise(r => setTimeout(r, 200));
    stdin.write('stty size; exit 5\n');
    const r = await done;
    expect(screen).toMatch(/^40 120\r?$/m);
    expect(r.status.details?.causes?.[0]).toEqual({ reason: 'ExitCode', message: '5' });
  });

  it('answers WebSocket pings (kubectl pings every 5 s and drops a silent server)', async () => {
    const out = collect();
    const ws = await new Exec(kc).exec('default', 'web', 'shell', ['sleep', '5'], out.stream, null, null, false);
    const pong = new Promise<Buffer>(resolve => ws.once('pong', resolve));
    ws.ping(Buffer.from('are you there'));
    expect((await pong).toString()).toBe('are you there');
    ws.close();
  });

  it('Exec of a command the image lacks fails as the runtime reports it', async () => {
    const r = await exec('app', ['sh']);
    expect(r.status).toMatchObject({ status: 'Failure', reason: 'InternalError' });
    expect(r.status.message).toContain('exec: "sh": executable file not found in $PATH');
  });

  it('Attach with stdinOnce: the container reads EOF when the first attach ends', async () => {
    await createPod('once', {
      containers: [{ name: 'c', image: 'sandbox.local/toolbox:1', stdin: true, stdinOnce: true, command: ['sh', '-c', 'while read l; do echo "got $l"; done; echo "stdin closed"; sleep 600'] }],
    });
    const out = collect();
    const stdin = new PassThrough();
    const ws = await new Attach(kc).attach('default', 'once', 'c', out.stream, null, stdin, false);
    stdin.write('hi\n');
    await waitFor('the echo', () => (out.text().includes('got hi') ? true : undefined));
    ws.close();
    const log = await waitFor('EOF in the container', async () => {
      const text = await core.readNamespacedPodLog({ namespace: 'default', name: 'once', container: 'c' });
      return text.includes('stdin closed') ? text : undefined;
    });
    expect(log).toBe('got hi\nstdin closed\n');
    const state = sandbox.cluster.store.get<Pod>('pods', 'default', 'once')?.status?.containerStatuses?.[0]?.state;
    expect(state && 'running' in state).toBe(true); // detaching never stops the container
  });

  it('patchNamespacedPodEphemeralcontainers (strategic merge) starts a debug container in the target\'s pid namespace', async () => {
    const body = { spec: { ephemeralContainers: [{ name: 'debugger', image: 'sandbox.local/debug-tools:1', command: ['sleep', '600'], targetContainerName: 'app' }] } };
    const pod: V1Pod = await core.patchNamespacedPodEphemeralcontainers({ name: 'web', namespace: 'default', body }, setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch));
    expect(pod.spec?.ephemeralContainers?.map(c => c.name)).toEqual(['debugger']);
    expect(pod.spec?.ephemeralContainers?.[0]).toMatchObject({ imagePullPolicy: 'IfNotPresent', terminationMessagePolicy: 'File' });
    await waitFor('the debug container to run', async () => {
      const p = await core.readNamespacedPodEphemeralcontainers({ name: 'web', namespace: 'default' });
      return p.status?.ephemeralContainerStatuses?.[0]?.state?.running ? true : undefined;
    });
    const r = await exec('debugger', ['sh', '-c', 'ps -eo args; ls /proc/1/root/app']);
    expect(r.stdout).toContain('/app/node /app/server.js');
    expect(r.stdout).toContain('server.js\n');
    // A forbidden field is refused with Kubernetes' validation error (a patch without
    // $setElementOrder puts new items first, as the apiserver's strategic merge does).
    const bad = { spec: { ephemeralContainers: [{ name: 'probe', image: 'sandbox.local/debug-tools:1', ports: [{ containerPort: 80 }] }] } };
    await expect(
      core.patchNamespacedPodEphemeralcontainers({ name: 'web', namespace: 'default', body: bad }, setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch)),
    ).rejects.toMatchObject({ code: 422, body: expect.stringContaining('spec.ephemeralContainers[0].ports: Forbidden: cannot be set for an Ephemeral Container') });
  });
});

describe('exec and attach before the upgrade', () => {
  it('answers an SPDY POST with the same Status errors, then refuses it', async () => {
    const call = (path: string) =>
      new Promise<{ code: number; body: { message: string; reason: string } }>((resolve, reject) => {
        const req = https.request(`${sandbox.url}${path}`, { method: 'POST', ca: sandbox.caData, headers: { Authorization: `Bearer ${sandbox.tokens.admin}` } }, res => {
          let text = '';
          res.on('data', d => (text += d));
          res.on('end', () => resolve({ code: res.statusCode ?? 0, body: JSON.parse(text) }));
        });
        req.on('error', reject);
        req.end();
      });
    const web = sandbox.cluster.store.get<Pod>('pods', 'default', 'web')!;
    const names = () => [...web.spec.containers, ...(web.spec.ephemeralContainers ?? [])].map(c => c.name).join(' ');
    expect(await call('/api/v1/namespaces/default/pods/nope/exec?command=sh&stdout=true')).toMatchObject({ code: 404, body: { message: 'pods "nope" not found' } });
    expect(await call('/api/v1/namespaces/default/pods/web/exec?command=sh&stdout=true')).toMatchObject({
      code: 400,
      body: { message: `a container name must be specified for pod web, choose one of: [${names()}]` },
    });
    expect(await call('/api/v1/namespaces/default/pods/web/attach?container=zzz&stdout=true')).toMatchObject({ code: 400, body: { message: 'container zzz is not valid for pod web' } });
    sandbox.cluster.createPod({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'done', namespace: 'default' }, spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'sandbox.local/toolbox:1', command: ['true'] }] } } as Pod);
    await waitFor('done to complete', () => (sandbox.cluster.store.get<Pod>('pods', 'default', 'done')?.status?.phase === 'Succeeded' ? true : undefined));
    expect(await call('/api/v1/namespaces/default/pods/done/exec?command=sh&stdout=true')).toMatchObject({
      code: 400,
      body: { message: 'cannot exec into a container in a completed pod; current phase is Succeeded' },
    });
    const refused = await call('/api/v1/namespaces/default/pods/web/exec?container=shell&command=sh&stdout=true');
    expect(refused.code).toBe(400);
    expect(refused.body.message).toMatch(/^Upgrade request required/);
  });
});

describe('stopping the sandbox', () => {
  it('leaves no container process behind', async () => {
    await sandbox.stop();
    expect(findSandboxProcesses(sandbox.cluster.id)).toEqual([]);
  });
});
