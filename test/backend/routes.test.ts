import http from 'node:http';
import { AddressInfo } from 'node:net';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { mockCredentials, mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { LogStreamMessage } from '@kube-troubleshoot/backstage-plugin-common';
import { Pod, startSandbox, Sandbox } from '@internal/sandbox-cluster';
import { waitFor } from '../support/tools';
import request from 'supertest';
import kubeTroubleshootPlugin from '@kube-troubleshoot/backstage-plugin-backend';

jest.setTimeout(60_000);

/** The backend against a real sandbox cluster: the wire from the route to the kubelet is real. */
const WORKLOADS = `
apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: shop }
spec:
  replicas: 1
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web, 'backstage.io/kubernetes-id': web } }
    spec:
      containers:
        - name: main
          image: sandbox.local/toolbox:1
          command: [sh, -c, 'i=0; while true; do i=$((i+1)); echo "tick $i"; sleep 0.1; done']
        - name: side
          image: sandbox.local/toolbox:1
          command: [sh, -c, 'echo side up; sleep 3600']
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: crasher, namespace: shop }
spec:
  replicas: 1
  selector: { matchLabels: { app: crasher } }
  template:
    metadata: { labels: { app: crasher, 'backstage.io/kubernetes-id': crasher } }
    spec:
      containers:
        - name: job
          image: sandbox.local/toolbox:1
          command: [sh, -c, 'echo "booting"; echo "fatal: no config" >&2; exit 3']
---
apiVersion: v1
kind: Pod
metadata: { name: stranger, namespace: shop, labels: { app: other } }
spec:
  containers: [{ name: c, image: sandbox.local/toolbox:1, command: [sleep, '3600'] }]
`;

const component = (name: string, owner: string): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name, namespace: 'default', annotations: { 'backstage.io/kubernetes-id': name, 'backstage.io/kubernetes-namespace': 'shop' } },
  spec: { type: 'service', lifecycle: 'production', owner },
});

const ALICE = 'user:default/alice';
const BOB = 'user:default/bob';
/** Who may read what, per entity (the example policy's decisions, without its catalog condition). */
const ALLOWED: Record<string, string[]> = {
  [ALICE]: ['component:default/web', 'component:default/crasher'],
  [BOB]: [],
};

let sandbox: Sandbox;
let tmp: string;

async function backendFor(token: string) {
  const auditEvents: Array<{ eventId: string; meta?: unknown; status: string }> = [];
  const backend = await startTestBackend({
    features: [
      kubeTroubleshootPlugin,
      catalogServiceMock.factory({ entities: [component('web', 'team-a'), component('crasher', 'team-a')] }),
      mockServices.rootConfig.factory({
        data: { permission: { enabled: true },
          kubeTroubleshoot: { clusters: [{ name: 'sandbox', url: sandbox.url, caData: sandbox.caData, serviceAccountToken: token }] },
        },
      }),
      mockServices.permissions.mock({
        authorize: async (requests, options) => {
          const user = (options?.credentials.principal as { userEntityRef?: string }).userEntityRef ?? '';
          return requests.map(r => ({
            result: ALLOWED[user]?.includes((r as { resourceRef?: string }).resourceRef ?? '') ? AuthorizeResult.ALLOW : AuthorizeResult.DENY,
          }));
        },
      }).factory,
      mockServices.auditor.mock({
        createEvent: async opts => ({
          success: async o => void auditEvents.push({ eventId: opts.eventId, meta: { ...opts.meta, ...o?.meta }, status: 'succeeded' }),
          fail: async o => void auditEvents.push({ eventId: opts.eventId, meta: { ...opts.meta, ...o.meta }, status: 'failed' }),
        }),
      }).factory,
    ],
  });
  return Object.assign(backend, { auditEvents });
}

/** Reads an NDJSON stream over a real socket until `done` is satisfied; returns the messages. */
function readStream(server: http.Server, urlPath: string, user: string, done: (msgs: LogStreamMessage[]) => boolean, timeoutMs = 15_000) {
  return new Promise<{ msgs: LogStreamMessage[]; req: http.ClientRequest }>((resolve, reject) => {
    const { port } = server.address() as AddressInfo;
    const msgs: LogStreamMessage[] = [];
    let rest = '';
    const req = http.get({ host: '127.0.0.1', port, path: urlPath, headers: { Authorization: mockCredentials.user.header(user) } }, res => {
      const timer = setTimeout(() => {
        req.destroy();
        reject(new Error(`timed out; got ${JSON.stringify(msgs.slice(-5))}`));
      }, timeoutMs);
      res.setEncoding('utf8');
      res.on('data', chunk => {
        const parts = (rest + chunk).split('\n');
        rest = parts.pop()!;
        for (const p of parts) if (p) msgs.push(JSON.parse(p));
        if (done(msgs)) {
          clearTimeout(timer);
          resolve({ msgs, req });
        }
      });
      res.on('end', () => {
        clearTimeout(timer);
        resolve({ msgs, req });
      });
    });
    req.on('error', reject);
  });
}

const lines = (msgs: LogStreamMessage[]) => msgs.filter((m): m is Extract<LogStreamMessage, { type: 'line' }> => m.type === 'line');

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kt-backend-test-'));
  fs.writeFileSync(path.join(tmp, 'w.yaml'), WORKLOADS);
  sandbox = await startSandbox({ workloads: [path.join(tmp, 'w.yaml')], pullDelayMs: 10, backoffBaseMs: 300 });
  // the crasher has restarted once (a previous log exists) and web has logged a few lines
  const pods = () => sandbox.cluster.store.list<Pod>('pods', 'shop');
  await waitFor('the crasher to restart and web to log', () => {
    const crasher = pods().find(p => p.metadata.name.startsWith('crasher-'));
    const web = pods().find(p => p.metadata.name.startsWith('web-'));
    const restarted = (crasher?.status?.containerStatuses ?? []).some(s => s.restartCount >= 1);
    const running = (web?.status?.containerStatuses ?? []).every(s => 'running' in s.state);
    return restarted && running;
  }, 20_000);
});

afterAll(async () => {
  await sandbox?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('kube-troubleshoot routes against the sandbox cluster', () => {
  let backend: Awaited<ReturnType<typeof backendFor>>;
  beforeAll(async () => {
    backend = await backendFor(sandbox.tokens.readonly);
  });
  afterAll(() => backend.stop());

  const webPod = () => sandbox.cluster.store.list('pods', 'shop').find(p => p.metadata.name.startsWith('web-'))!.metadata.name;
  const api = '/api/kube-troubleshoot/entities/component/default';

  it('lists the entity pods with containers and owner chain', async () => {
    const res = await request(backend.server).get(`${api}/web/pods`).set('Authorization', mockCredentials.user.header(ALICE));
    expect(res.status).toBe(200);
    expect(res.body.clusterErrors).toEqual([]);
    expect(res.body.pods).toHaveLength(1);
    const pod = res.body.pods[0];
    expect(pod).toMatchObject({ cluster: 'sandbox', namespace: 'shop', name: webPod(), phase: 'Running', status: 'Running', ready: '2/2' });
    expect(pod.containers.map((c: { name: string; kind: string }) => `${c.kind}:${c.name}`)).toEqual(['container:main', 'container:side']);
    expect(pod.owners.map((o: { kind: string }) => o.kind)).toEqual(['ReplicaSet', 'Deployment']);
  });

  it('answers 403 naming the permission to a user without it, and audits both outcomes', async () => {
    const res = await request(backend.server).get(`${api}/web/pods`).set('Authorization', mockCredentials.user.header(BOB));
    expect(res.status).toBe(403);
    expect(res.body.error.message).toBe('you do not have any of kube-troubleshoot.logs.read, kube-troubleshoot.events.read, kube-troubleshoot.terminal.create, kube-troubleshoot.debug.create on component:default/web; it is owned by team-a');
    expect(backend.auditEvents).toContainEqual(expect.objectContaining({ eventId: 'pods-read', status: 'failed' }));
    expect(backend.auditEvents).toContainEqual(expect.objectContaining({ eventId: 'pods-read', status: 'succeeded', meta: expect.objectContaining({ entityRef: 'component:default/web' }) }));
  });

  it('answers 404 for a pod that is not the entity\'s, even though it exists', async () => {
    const res = await request(backend.server).get(`${api}/web/logs?pod=stranger`).set('Authorization', mockCredentials.user.header(ALICE));
    expect(res.status).toBe(404);
    expect(res.body.error.message).toBe('pod "stranger" is not one of component:default/web\'s pods on cluster "sandbox"');
  });

  it('answers 400 with Kubernetes\' text for an unknown container, and names bad parameters', async () => {
    const res = await request(backend.server).get(`${api}/web/logs?pod=${webPod()}&container=nope`).set('Authorization', mockCredentials.user.header(ALICE));
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe(`container nope is not valid for pod ${webPod()}`);
    const bad = await request(backend.server).get(`${api}/web/logs?tailLines=-3`).set('Authorization', mockCredentials.user.header(ALICE));
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toBe('query parameter tailLines must be a whole number from 0 to 10000000');
  });

  it('reads one container\'s log with Kubernetes timestamps, and the previous run of a crashed one', async () => {
    const res = await request(backend.server).get(`${api}/web/logs?pod=${webPod()}&container=side`).set('Authorization', mockCredentials.user.header(ALICE));
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/application\/x-ndjson/);
    const msgs = res.text.trim().split('\n').map(l => JSON.parse(l));
    expect(msgs[0]).toMatchObject({ type: 'line', cluster: 'sandbox', pod: webPod(), container: 'side', text: 'side up' });
    expect(msgs[0].timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);
    expect(msgs.at(-1)).toEqual({ type: 'end' });
    const crasher = sandbox.cluster.store.list('pods', 'shop').find(p => p.metadata.name.startsWith('crasher-'))!.metadata.name;
    const prev = await request(backend.server).get(`${api}/crasher/logs?pod=${crasher}&container=job&previous=true`).set('Authorization', mockCredentials.user.header(ALICE));
    expect(lines(prev.text.trim().split('\n').map(l => JSON.parse(l))).map(l => l.text)).toEqual(['booting', 'fatal: no config']);
  });

  it('merges all pods\' containers in time order, tagged, and downloads as a file', async () => {
    const res = await request(backend.server).get(`${api}/web/logs?tailLines=3`).set('Authorization', mockCredentials.user.header(ALICE));
    const got = lines(res.text.trim().split('\n').map(l => JSON.parse(l)));
    expect(new Set(got.map(l => l.container))).toEqual(new Set(['main', 'side']));
    const stamps = got.map(l => l.timestamp);
    expect([...stamps].sort()).toEqual(stamps);
    const file = await request(backend.server).get(`${api}/web/logs?pod=${webPod()}&container=main&download=true`).set('Authorization', mockCredentials.user.header(ALICE));
    expect(file.headers['content-disposition']).toBe(`attachment; filename="web-${webPod()}-main.log"; filename*=UTF-8''web-${webPod()}-main.log`);
    expect(file.text.split('\n')[0]).toBe('tick 1');
  });

  it('follows: a new line arrives within 1 s', async () => {
    const started = Date.now();
    const { msgs, req } = await readStream(backend.server, `${api}/web/logs?pod=${webPod()}&container=main&follow=true&tailLines=1`, ALICE, m => lines(m).length >= 2);
    req.destroy();
    expect(Date.now() - started).toBeLessThan(1000 + 500);
    const [a, b] = lines(msgs).map(l => Number(l.text.split(' ')[1]));
    expect(b).toBe(a + 1);
  });

  it('follows a crash-looping container into its next runs, a marker line at each restart', async () => {
    // A new crash loop, so its back-off is still short (the crasher's has grown by now).
    const crasher = `looper-${Date.now()}`;
    sandbox.cluster.createPod({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: crasher, namespace: 'shop', labels: { 'backstage.io/kubernetes-id': 'crasher' } },
      spec: { containers: [{ name: 'job', image: 'sandbox.local/toolbox:1', command: ['sh', '-c', 'echo "booting"; sleep 0.5; echo "fatal: no config" >&2; exit 3'] }] },
    } as Pod);
    const restarts = (m: LogStreamMessage[]) => m.filter(x => x.type === 'notice' && x.restart);
    await waitFor('the looper to run', () => (sandbox.cluster.store.get<Pod>('pods', 'shop', crasher)?.status?.containerStatuses?.[0]?.started ? true : undefined));
    const { msgs, req } = await readStream(backend.server, `${api}/crasher/logs?pod=${crasher}&container=job&follow=true`, ALICE, m => restarts(m).length >= 2, 30_000).finally(() =>
      sandbox.cluster.kubelet.deletePod('shop', crasher, 0),
    );
    req.destroy();
    expect(msgs.some(m => m.type === 'end')).toBe(false);
    const marker = restarts(msgs)[0] as Extract<LogStreamMessage, { type: 'notice' }>;
    expect(marker).toMatchObject({ message: 'restarted: exit 3 (Error)', pod: crasher, container: 'job', restart: { exitCode: 3, reason: 'Error' } });
    // Each marker is followed by that run's own lines, in order.
    const story = msgs.filter(m => m.type === 'line' || (m.type === 'notice' && m.restart)).map(m => (m.type === 'line' ? m.text : '—'));
    const first = story.indexOf('—');
    expect(story.slice(first, first + 3)).toEqual(['—', 'booting', 'fatal: no config']);
    const counts = restarts(msgs).map(m => (m as Extract<LogStreamMessage, { type: 'notice' }>).restart!.restartCount);
    expect(counts[1]).toBeGreaterThan(counts[0]);
  });

  it('ends the follow of a container that will not run again, saying how it ended', async () => {
    const name = `oneshot-${Date.now()}`;
    sandbox.cluster.createPod({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: 'shop', labels: { 'backstage.io/kubernetes-id': 'crasher' } },
      spec: { restartPolicy: 'Never', containers: [{ name: 'job', image: 'sandbox.local/toolbox:1', command: ['sh', '-c', 'echo once; sleep 1; exit 4'] }] },
    } as Pod);
    try {
      await waitFor('oneshot to run', () => (sandbox.cluster.store.get<Pod>('pods', 'shop', name)?.status?.containerStatuses?.[0]?.started ? true : undefined));
      const { msgs } = await readStream(backend.server, `${api}/crasher/logs?pod=${name}&container=job&follow=true`, ALICE, m => m.some(x => x.type === 'end'), 20_000);
      expect(msgs.filter(m => m.type === 'line').map(m => (m as { text: string }).text)).toEqual(['once']);
      expect(msgs.find(m => m.type === 'notice')).toMatchObject({ message: `container job in pod ${name} exited with code 4 (Error); the stream of this container ended` });
    } finally {
      await sandbox.cluster.kubelet.deletePod('shop', name, 0);
    }
  });

  it('reads a time range: lines from sinceTime to untilTime only; a range with an end cannot be followed', async () => {
    // Enough log for a window of whole seconds with lines before and after it (web logs ten lines a second).
    const stamps = await waitFor('four seconds of log', async () => {
      const all = await request(backend.server).get(`${api}/web/logs?pod=${webPod()}&container=main`).set('Authorization', mockCredentials.user.header(ALICE));
      const t = lines(all.text.trim().split('\n').map(l => JSON.parse(l))).map(l => l.timestamp);
      return t.length && Date.parse(t[t.length - 1]) - Date.parse(t[0]) > 4000 ? t : undefined;
    }, 15_000);
    const from = new Date(Math.ceil(Date.parse(stamps[0]) / 1000) * 1000 + 1000).toISOString().replace('.000', '');
    const to = new Date(Date.parse(from) + 2000).toISOString().replace('.000', '');
    const res = await request(backend.server).get(`${api}/web/logs?pod=${webPod()}&container=main&sinceTime=${from}&untilTime=${to}`).set('Authorization', mockCredentials.user.header(ALICE));
    const got = lines(res.text.trim().split('\n').map(l => JSON.parse(l))).map(l => l.timestamp);
    expect(got.length).toBeGreaterThan(5);
    expect(got.every(t => Date.parse(t) >= Date.parse(from) && Date.parse(t) <= Date.parse(to))).toBe(true);
    // The full log has lines on both sides: the range did cut.
    expect(stamps.some(t => Date.parse(t) > Date.parse(to))).toBe(true);
    const follow = await request(backend.server).get(`${api}/web/logs?pod=${webPod()}&container=main&follow=true&untilTime=${to}`).set('Authorization', mockCredentials.user.header(ALICE));
    expect(follow.status).toBe(400);
    expect(follow.body.error.message).toBe('query parameter untilTime cannot be combined with follow: a range ends, a follow does not');
  });

  it('says a pod not scheduled yet has no log, and why, instead of the apiserver\'s bare 204', async () => {
    const name = `unplaced-${Date.now()}`;
    sandbox.cluster.createPod({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: 'shop', labels: { 'backstage.io/kubernetes-id': 'crasher' } },
      spec: { nodeSelector: { accelerator: 'tpu' }, containers: [{ name: 'job', image: 'sandbox.local/toolbox:1' }] },
    } as Pod);
    try {
      for (const follow of [false, true]) {
        const { msgs } = await readStream(backend.server, `${api}/crasher/logs?pod=${name}&container=job&follow=${follow}`, ALICE, m => m.some(x => x.type === 'end'), 10_000);
        expect(msgs).toEqual([
          { type: 'notice', message: `pod ${name} is not scheduled to a node yet, so it has no log: 0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector`, cluster: 'sandbox', pod: name, container: 'job' },
          { type: 'end' },
        ]);
      }
    } finally {
      await sandbox.cluster.kubelet.deletePod('shop', name, 0);
    }
  });

  it('resumes a follow whose upstream dropped, without a duplicated or lost line', async () => {
    let dropped = false;
    const { msgs, req } = await readStream(backend.server, `${api}/web/logs?pod=${webPod()}&container=main&follow=true&tailLines=1`, ALICE, m => {
      if (!dropped && lines(m).length >= 5) {
        dropped = true;
        sandbox.dropConnections();
      }
      return lines(m).length >= 25;
    });
    req.destroy();
    expect(msgs.some(m => m.type === 'notice' && /resumed without losing lines/.test(m.message))).toBe(true);
    const ticks = lines(msgs).map(l => Number(l.text.split(' ')[1]));
    ticks.slice(1).forEach((n, i) => expect(n).toBe(ticks[i] + 1));
  });

  it('ends the upstream request as soon as the client leaves', async () => {
    const followers = () => sandbox.cluster.kubelet.followerCount();
    const followersReach = async (want: number, ms: number) => {
      const deadline = Date.now() + ms;
      while (followers() !== want && Date.now() < deadline) await new Promise(r => setTimeout(r, 20));
      return followers();
    };
    expect(await followersReach(0, 5000)).toBe(0);
    const { req } = await readStream(backend.server, `${api}/web/logs?pod=${webPod()}&container=main&follow=true&tailLines=1`, ALICE, m => lines(m).length >= 2);
    expect(await followersReach(1, 2000)).toBe(1);
    const left = Date.now();
    req.destroy();
    expect(await followersReach(0, 1000)).toBe(0);
    expect(Date.now() - left).toBeLessThan(1000);
  });

  it('lists events of the pods and their owners, newest first, and diagnoses a crash loop', async () => {
    const res = await request(backend.server).get(`${api}/crasher/events`).set('Authorization', mockCredentials.user.header(ALICE));
    expect(res.status).toBe(200);
    const kinds = new Set(res.body.events.map((e: { object: { kind: string } }) => e.object.kind));
    expect(kinds).toEqual(new Set(['Pod', 'ReplicaSet', 'Deployment']));
    const seen = res.body.events.map((e: { lastSeen: string }) => e.lastSeen);
    expect([...seen].sort().reverse()).toEqual(seen);
    const started = res.body.events.find((e: { reason: string }) => e.reason === 'Started');
    expect(started.count).toBeGreaterThanOrEqual(2);
    const diag = await request(backend.server).get(`${api}/crasher/diagnosis`).set('Authorization', mockCredentials.user.header(ALICE));
    expect(diag.body.pods[0].severity).toBe('error');
    expect(diag.body.pods[0].verdict).toMatch(/container job of crasher-\S+ keeps crashing \(exit code 3, Error\)/);
    expect(diag.body.pods[0].details).toEqual(['last lines of the previous container:', 'booting', 'fatal: no config']);
  });

  it('watches events live and relists after 410 without duplicates', async () => {
    const probe = `probe-${Date.now()}`;
    const seen: string[] = [];
    const { msgs, req } = await readStream(backend.server, `${api}/web/events?watch=true`, ALICE, m => {
      if (m.length === 1) {
        // expire every resourceVersion the watch may hold, then add an event to the pod
        sandbox.cluster.store.compact();
        sandbox.dropConnections();
        setTimeout(() => {
          const pod = sandbox.cluster.store.list('pods', 'shop').find(p => p.metadata.name.startsWith('web-'))!;
          sandbox.cluster.recordEvent(pod, 'Warning', 'Probe', probe, 'test');
        }, 300);
      }
      return (m as unknown as Array<{ type: string; event?: { message: string } }>).some(x => x.type === 'upsert' && x.event?.message === probe);
    });
    req.destroy();
    const all = msgs as unknown as Array<{ type: string; events?: Array<{ id: string }>; event?: { id: string; message: string } }>;
    expect(all[0].type).toBe('snapshot');
    for (const e of all[0].events!) seen.push(e.id);
    const upserts = all.filter(x => x.type === 'upsert');
    // after the relist only the new event is sent: nothing the snapshot had is repeated unchanged
    expect(upserts.map(u => u.event!.message)).toEqual([probe]);
  });
});

describe('an event watch', () => {
  it('takes in pods of the entity created after it started, and nobody else\'s', async () => {
    const backend = await backendFor(sandbox.tokens.readonly);
    try {
      const name = `web-late-${Date.now()}`;
      const spec = { containers: [{ name: 'c', image: 'sandbox.local/toolbox:1', command: ['sleep', '60'] }] };
      const { msgs, req } = await readStream(backend.server, '/api/kube-troubleshoot/entities/component/default/web/events?watch=true', ALICE, m => {
        if (m.length === 1) {
          sandbox.cluster.createPod({ apiVersion: 'v1', kind: 'Pod', metadata: { name: `${name}-x`, namespace: 'shop', labels: { app: 'other' } }, spec });
          sandbox.cluster.createPod({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'shop', labels: { 'backstage.io/kubernetes-id': 'web' } }, spec });
        }
        return (m as unknown as Array<{ type: string; event?: { reason: string; object: { name: string } } }>).some(
          x => x.type === 'upsert' && x.event?.reason === 'Started' && x.event.object.name === name,
        );
      });
      req.destroy();
      const names = (msgs as unknown as Array<{ type: string; event?: { object: { name: string } } }>).filter(x => x.type === 'upsert').map(x => x.event!.object.name);
      expect(names).toContain(name);
      expect(names).not.toContain(`${name}-x`);
      await sandbox.cluster.kubelet.deletePod('shop', name, 0);
      await sandbox.cluster.kubelet.deletePod('shop', `${name}-x`, 0);
    } finally {
      await backend.stop();
    }
  });
});

describe('a cluster token without pods/log', () => {
  it('answers a clear 403 naming the missing RBAC rule', async () => {
    const backend = await backendFor(sandbox.tokens.nologs);
    try {
      const pod = sandbox.cluster.store.list('pods', 'shop').find(p => p.metadata.name.startsWith('web-'))!.metadata.name;
      const res = await request(backend.server)
        .get(`/api/kube-troubleshoot/entities/component/default/web/logs?pod=${pod}&container=main`)
        .set('Authorization', mockCredentials.user.header(ALICE));
      expect(res.status).toBe(403);
      expect(res.body.error.message).toMatch(
        /^the plugin's service account on cluster "sandbox" lacks RBAC permission "get" on "pods\/log" in namespace "shop"; grant it as in examples\/rbac.yaml/,
      );
    } finally {
      await backend.stop();
    }
  });
});

describe('the least-privilege RBAC of examples/rbac.yaml', () => {
  it('is enough for every route', async () => {
    const token = sandbox.addRbacToken(path.resolve(__dirname, '../../examples/rbac.yaml'));
    const backend = await backendFor(token);
    try {
      const api = '/api/kube-troubleshoot/entities/component/default';
      const pod = sandbox.cluster.store.list('pods', 'shop').find(p => p.metadata.name.startsWith('web-'))!.metadata.name;
      for (const url of [`${api}/web/pods`, `${api}/web/logs?pod=${pod}&container=side`, `${api}/web/logs?tailLines=1`, `${api}/web/events`, `${api}/crasher/diagnosis`]) {
        const res = await request(backend.server).get(url).set('Authorization', mockCredentials.user.header(ALICE));
        expect([url, res.status, res.text.includes('"clusterErrors":[{') || res.text.includes('"type":"error"')]).toEqual([url, 200, false]);
      }
    } finally {
      await backend.stop();
    }
  });
});
