import https from 'node:https';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findSandboxProcesses, startSandbox, Sandbox } from './index';

jest.setTimeout(60_000);

/** The REST API through real HTTPS, as any client sees it. */
function request(sb: Sandbox, urlPath: string, opts: { token?: string | null; method?: string; body?: unknown; accept?: string; contentType?: string } = {}) {
  return new Promise<{ status: number; body: string; json: () => any }>((resolve, reject) => {
    const headers: Record<string, string> = {};
    const token = opts.token === undefined ? sb.tokens.admin : opts.token;
    if (token) headers.Authorization = `Bearer ${token}`;
    if (opts.accept) headers.Accept = opts.accept;
    const body = opts.body === undefined ? undefined : JSON.stringify(opts.body);
    if (body) headers['Content-Type'] = opts.contentType ?? 'application/json';
    const req = https.request(`${sb.url}${urlPath}`, { method: opts.method ?? 'GET', headers, ca: sb.caData }, res => {
      let text = '';
      res.on('data', d => (text += d));
      res.on('end', () => resolve({ status: res.statusCode!, body: text, json: () => JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Opens a streaming GET and collects chunks until `until` says stop or the server ends it. */
function streamLines(sb: Sandbox, urlPath: string, until: (text: string) => boolean, timeoutMs = 15_000) {
  return new Promise<{ text: string; endedByServer: boolean }>((resolve, reject) => {
    const req = https.get(`${sb.url}${urlPath}`, { headers: { Authorization: `Bearer ${sb.tokens.admin}` }, ca: sb.caData }, res => {
      let text = '';
      let timer: NodeJS.Timeout | undefined = undefined;
      const finish = (endedByServer: boolean) => {
        clearTimeout(timer);
        req.destroy();
        resolve({ text, endedByServer });
      };
      timer = setTimeout(() => finish(false), timeoutMs);
      res.on('data', d => {
        text += d;
        if (until(text)) finish(false);
      });
      res.on('end', () => finish(true));
    });
    req.on('error', reject);
  });
}

const WORKLOAD = `
apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: shop, labels: { app: web } }
spec:
  replicas: 1
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web, 'backstage.io/kubernetes-id': web } }
    spec:
      containers:
        - name: main
          image: sandbox.local/toolbox:1
          command: [sh, -c, 'i=0; while true; i=$((i+1)); do echo "tick $i"; sleep 0.2; done']
        - name: side
          image: sandbox.local/toolbox:1
          command: [sh, -c, 'echo side up; sleep 3600']
---
apiVersion: v1
kind: Pod
metadata: { name: once, namespace: shop }
spec:
  restartPolicy: Never
  containers:
    - name: job
      image: sandbox.local/toolbox:1
      command: [sh, -c, 'echo started; sleep 1; echo finished; exit 3']
---
apiVersion: v1
kind: Pod
metadata: { name: nowhere, namespace: shop }
spec:
  nodeSelector: { zone: mars }
  containers: [{ name: c, image: sandbox.local/toolbox:1 }]
`;

describe('sandbox cluster over HTTPS', () => {
  let sb: Sandbox;
  let tmp: string;
  let webPod: string;

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kt-sandbox-test-'));
    fs.writeFileSync(path.join(tmp, 'w.yaml'), WORKLOAD);
    sb = await startSandbox({ workloads: [path.join(tmp, 'w.yaml')], pullDelayMs: 10, backoffBaseMs: 500, watchHistorySize: 10_000 });
    webPod = sb.cluster.store.list('pods', 'shop').find(p => p.metadata.name.startsWith('web-'))!.metadata.name;
    // wait until main has logged a few lines
    for (let i = 0; i < 50; i++) {
      const r = await request(sb, `/api/v1/namespaces/shop/pods/${webPod}/log?container=main`);
      if (r.status === 200 && r.body.split('\n').length > 4) break;
      await new Promise(res => setTimeout(res, 100));
    }
  });

  afterAll(async () => {
    await sb?.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('serves discovery and the version', async () => {
    expect((await request(sb, '/version')).json().major).toBe('1');
    expect((await request(sb, '/api')).json().versions).toEqual(['v1']);
    const v1 = (await request(sb, '/api/v1')).json();
    expect(v1.resources.map((r: { name: string }) => r.name)).toEqual(expect.arrayContaining(['pods', 'pods/log', 'events', 'namespaces']));
    const apps = (await request(sb, '/apis/apps/v1')).json();
    expect(apps.resources.map((r: { name: string }) => r.name)).toEqual(['deployments', 'replicasets']);
  });

  it('answers 401 without a valid token and 403 naming the missing rule', async () => {
    const anon = await request(sb, '/api/v1/pods', { token: null });
    expect(anon.status).toBe(401);
    expect(anon.json()).toMatchObject({ kind: 'Status', reason: 'Unauthorized', code: 401 });
    const denied = await request(sb, `/api/v1/namespaces/shop/pods/${webPod}/log?container=main`, { token: sb.tokens.nologs });
    expect(denied.status).toBe(403);
    expect(denied.json().message).toBe(
      `pods "${webPod}" is forbidden: User "system:serviceaccount:kube-system:sandbox-nologs" cannot get resource "pods/log" in API group "" in the namespace "shop"`,
    );
  });

  it('lists pods by label and field selector, with owner references to objects that exist', async () => {
    const byLabel = (await request(sb, '/api/v1/namespaces/shop/pods?labelSelector=backstage.io%2Fkubernetes-id%3Dweb')).json();
    expect(byLabel.kind).toBe('PodList');
    expect(byLabel.items.map((p: any) => p.metadata.name)).toEqual([webPod]);
    const owner = byLabel.items[0].metadata.ownerReferences[0];
    expect(owner.kind).toBe('ReplicaSet');
    const rs = (await request(sb, `/apis/apps/v1/namespaces/shop/replicasets/${owner.name}`)).json();
    expect(rs.metadata.uid).toBe(owner.uid);
    expect(rs.metadata.ownerReferences[0]).toMatchObject({ kind: 'Deployment', name: 'web' });
    const pending = (await request(sb, '/api/v1/pods?fieldSelector=status.phase%3DPending')).json();
    expect(pending.items.map((p: any) => p.metadata.name)).toContain('nowhere');
    const bad = await request(sb, '/api/v1/pods?fieldSelector=spec.color%3Dred');
    expect(bad.status).toBe(400);
    expect(bad.json().message).toBe('field label not supported: spec.color');
  });

  it('filters events by involvedObject, reason and type', async () => {
    const ev = (await request(sb, '/api/v1/namespaces/shop/events?fieldSelector=involvedObject.name%3Dnowhere,reason%3DFailedScheduling')).json();
    expect(ev.items).toHaveLength(1);
    expect(ev.items[0]).toMatchObject({ type: 'Warning', source: { component: 'default-scheduler' }, involvedObject: { kind: 'Pod', name: 'nowhere' } });
    const warnings = (await request(sb, '/api/v1/events?fieldSelector=type%3DWarning')).json();
    expect(warnings.items.every((e: any) => e.type === 'Warning')).toBe(true);
  });

  it('returns 404 Status for unknown pods and namespaces', async () => {
    const r = await request(sb, '/api/v1/namespaces/shop/pods/ghost');
    expect(r.status).toBe(404);
    expect(r.json()).toEqual({
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'pods "ghost" not found', reason: 'NotFound', details: { name: 'ghost', kind: 'pods' }, code: 404,
    });
  });

  it('serves logs with tailLines, timestamps, sinceTime and limitBytes', async () => {
    const base = `/api/v1/namespaces/shop/pods/${webPod}/log?container=main`;
    const tail = await request(sb, `${base}&tailLines=2&timestamps=true`);
    const lines = tail.body.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z tick \d+$/);
    const since = lines[1].split(' ')[0];
    const fromSecond = await request(sb, `${base}&sinceTime=${encodeURIComponent(since)}&timestamps=true`);
    expect(fromSecond.body.startsWith(lines[1])).toBe(true);
    const limited = await request(sb, `${base}&limitBytes=5`);
    expect(limited.body).toBe('tick ');
  });

  it('rejects bad log options with the apiserver texts', async () => {
    const pod = `/api/v1/namespaces/shop/pods/${webPod}/log`;
    expect((await request(sb, pod)).json().message).toBe(`a container name must be specified for pod ${webPod}, choose one of: [main side]`);
    expect((await request(sb, `${pod}?container=x`)).json().message).toBe(`container x is not valid for pod ${webPod}`);
    const both = await request(sb, `${pod}?container=main&sinceSeconds=5&sinceTime=2026-01-01T00:00:00Z`);
    expect(both.status).toBe(422);
    expect(both.json().message).toContain('at most one of `sinceTime` or `sinceSeconds` may be specified');
    expect((await request(sb, `${pod}?container=main&tailLines=-1`)).json().message).toContain('must be greater than or equal to 0');
    const unscheduled = await request(sb, '/api/v1/namespaces/shop/pods/nowhere/log');
    expect(unscheduled.status).toBe(204);
  });

  it('reads query parameters as the apiserver converts them: True, an empty flag, first values, Go errors', async () => {
    const log = `/api/v1/namespaces/shop/pods/${webPod}/log`;
    // A client that writes Python's booleans, and one that writes a bare flag, get timestamps.
    for (const flag of ['timestamps=True', 'timestamps', 'timestamps=yes']) {
      expect((await request(sb, `${log}?container=main&tailLines=1&${flag}`)).body).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z tick \d+\n$/);
    }
    expect((await request(sb, `${log}?container=main&tailLines=1&timestamps=FALSE`)).body).toMatch(/^tick \d+\n$/);
    // Repeated: the first counts.
    expect((await request(sb, `${log}?container=main&container=side&tailLines=1`)).body).toMatch(/^tick/);
    const badInt = await request(sb, `${log}?container=main&tailLines=abc`);
    expect([badInt.status, badInt.json().reason, badInt.json().message]).toEqual([400, 'BadRequest', 'strconv.ParseInt: parsing "abc": invalid syntax']);
    const badTime = await request(sb, `${log}?container=main&sinceTime=yesterday`);
    expect([badTime.status, badTime.json().message]).toEqual([400, 'parsing time "yesterday" as "2006-01-02T15:04:05Z07:00": cannot parse "yesterday" as "2006"']);
    // watch=True is a watch (a stream of events, ended by timeoutSeconds); watch=0 a list.
    const watched = await streamLines(sb, '/api/v1/namespaces/shop/pods?watch=True&timeoutSeconds=1', () => false);
    expect(watched.endedByServer).toBe(true);
    expect(watched.text.trim().split('\n').map(l => JSON.parse(l).type)).toContain('ADDED');
    expect((await request(sb, '/api/v1/namespaces/shop/pods?watch=0')).json().kind).toBe('PodList');
    expect((await request(sb, '/api/v1/namespaces/shop/pods?watch=1&timeoutSeconds=soon')).json().message).toBe('strconv.ParseInt: parsing "soon": invalid syntax');
    // Unknown parameters are ignored.
    expect((await request(sb, '/api/v1/namespaces/shop/pods?frobnicate=1&Watch=true')).json().kind).toBe('PodList');
  });

  it('follows a log live and ends the stream when the container exits', async () => {
    const live = await streamLines(sb, `/api/v1/namespaces/shop/pods/${webPod}/log?container=main&follow=true&tailLines=1`, t => t.split('\n').length > 4);
    const ticks = live.text.trim().split('\n').map(l => Number(l.split(' ')[1]));
    expect(ticks.length).toBeGreaterThanOrEqual(4);
    ticks.slice(1).forEach((n, i) => expect(n).toBe(ticks[i] + 1)); // nothing lost or repeated
    const once = await streamLines(sb, '/api/v1/namespaces/shop/pods/once/log?follow=true', () => false);
    expect(once.endedByServer).toBe(true);
    expect(once.text).toBe('started\nfinished\n');
    const pod = (await request(sb, '/api/v1/namespaces/shop/pods/once')).json();
    expect(pod.status.phase).toBe('Failed');
    expect(pod.status.containerStatuses[0].state.terminated).toMatchObject({ exitCode: 3, reason: 'Error' });
  });

  it('watches from a resourceVersion, and answers 410 Expired for one that is too old', async () => {
    const list = (await request(sb, '/api/v1/namespaces/shop/pods')).json();
    const rv = list.metadata.resourceVersion;
    const watching = streamLines(sb, `/api/v1/namespaces/shop/pods?watch=true&resourceVersion=${rv}`, t => t.includes('"DELETED"'));
    await new Promise(r => setTimeout(r, 200));
    const created = await request(sb, '/api/v1/namespaces/shop/pods', {
      method: 'POST',
      body: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'short' }, spec: { containers: [{ name: 'c', image: 'sandbox.local/toolbox:1', command: ['sleep', '60'] }] } },
    });
    expect(created.status).toBe(201);
    const del = await request(sb, '/api/v1/namespaces/shop/pods/short?gracePeriodSeconds=0', { method: 'DELETE' });
    expect(del.status).toBe(200);
    const { text } = await watching;
    const events = text.trim().split('\n').map(l => JSON.parse(l));
    expect(events[0]).toMatchObject({ type: 'ADDED', object: { metadata: { name: 'short' } } });
    expect(events.at(-1)).toMatchObject({ type: 'DELETED', object: { metadata: { name: 'short' } } });

    sb.cluster.store.compact();
    const old = await streamLines(sb, `/api/v1/namespaces/shop/pods?watch=true&resourceVersion=${rv}`, () => false);
    const err = JSON.parse(old.text.trim());
    expect(err).toMatchObject({ type: 'ERROR', object: { kind: 'Status', reason: 'Expired', code: 410 } });
    expect(err.object.message).toMatch(/^too old resource version: \d+ \(\d+\)$/);
  });

  it('ephemeral containers: PUT, merge and JSON patch, validation, authorization, never restarted', async () => {
    const base = '/api/v1/namespaces/shop/pods/eph';
    await request(sb, '/api/v1/namespaces/shop/pods', {
      method: 'POST',
      body: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'eph', labels: { a: 'b' }, annotations: { note: 'kept' } }, spec: { containers: [{ name: 'app', image: 'sandbox.local/toolbox:1' }] } },
    });
    const created = (await request(sb, base)).json();
    expect(created.metadata).toMatchObject({ labels: { a: 'b' }, annotations: { note: 'kept' } });
    expect((await request(sb, `${base}/ephemeralcontainers`)).json().metadata.name).toBe('eph');
    // Creating a pod with ephemeral containers is refused.
    const onCreate = await request(sb, '/api/v1/namespaces/shop/pods', {
      method: 'POST',
      body: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'eph2' }, spec: { containers: [{ name: 'a', image: 'x' }], ephemeralContainers: [{ name: 'd', image: 'x' }] } },
    });
    expect(onCreate.status).toBe(422);
    expect(onCreate.json().message).toBe('Pod "eph2" is invalid: spec.ephemeralContainers: Forbidden: cannot be set on create');
    // PUT: the whole pod with one more ephemeral container; it exits 3 and is not restarted.
    const put = await request(sb, `${base}/ephemeralcontainers`, {
      method: 'PUT',
      body: { ...created, spec: { ...created.spec, ephemeralContainers: [{ name: 'once', image: 'sandbox.local/debug-tools:1', command: ['sh', '-c', 'exit 3'] }] } },
    });
    expect(put.status).toBe(200);
    let status: any;
    for (let i = 0; i < 100 && !status?.state?.terminated; i++) {
      await new Promise(r => setTimeout(r, 50));
      status = (await request(sb, base)).json().status.ephemeralContainerStatuses?.[0];
    }
    expect(status).toMatchObject({ name: 'once', restartCount: 0, state: { terminated: { exitCode: 3, reason: 'Error' } } });
    await new Promise(r => setTimeout(r, 700)); // longer than the back-off base: still not restarted
    expect((await request(sb, base)).json().status.ephemeralContainerStatuses[0]).toMatchObject({ restartCount: 0, state: { terminated: { exitCode: 3 } } });
    // JSON patch appends; merge patch must carry the whole list (it replaces lists).
    const jsonPatch = await request(sb, `${base}/ephemeralcontainers`, {
      method: 'PATCH',
      contentType: 'application/json-patch+json',
      body: [{ op: 'add', path: '/spec/ephemeralContainers/-', value: { name: 'two', image: 'sandbox.local/debug-tools:1', command: ['sleep', '60'], targetContainerName: 'app' } }],
    });
    expect(jsonPatch.json().spec.ephemeralContainers.map((c: { name: string }) => c.name)).toEqual(['once', 'two']);
    const removed = await request(sb, `${base}/ephemeralcontainers`, {
      method: 'PATCH',
      contentType: 'application/merge-patch+json',
      body: { spec: { ephemeralContainers: [{ name: 'two', image: 'sandbox.local/debug-tools:1', command: ['sleep', '60'], targetContainerName: 'app' }] } },
    });
    expect(removed.status).toBe(422);
    expect(removed.json().message).toMatch(/^Pod "eph" is invalid: spec.ephemeralContainers: Forbidden: existing ephemeral containers "once" may not be removed/);
    const badTarget = await request(sb, `${base}/ephemeralcontainers`, {
      method: 'PATCH',
      contentType: 'application/strategic-merge-patch+json',
      body: { spec: { ephemeralContainers: [{ name: 'three', image: 'sandbox.local/debug-tools:1', targetContainerName: 'nope' }] } },
    });
    expect(badTarget.json()).toMatchObject({
      code: 422,
      reason: 'Invalid',
      details: { causes: [{ reason: 'FieldValueNotFound', field: 'spec.ephemeralContainers[0].targetContainerName', message: 'Not found: "nope"' }] },
    });
    const unknownType = await request(sb, `${base}/ephemeralcontainers`, { method: 'PATCH', contentType: 'text/plain', body: {} });
    expect(unknownType.status).toBe(415);
    // Debugging needs patch on pods/ephemeralcontainers.
    const denied = await request(sb, `${base}/ephemeralcontainers`, {
      method: 'PATCH',
      token: sb.tokens.readonly,
      contentType: 'application/strategic-merge-patch+json',
      body: { spec: { ephemeralContainers: [{ name: 'x', image: 'y' }] } },
    });
    expect(denied.json().message).toBe('pods "eph" is forbidden: User "system:serviceaccount:kube-system:sandbox-readonly" cannot patch resource "pods/ephemeralcontainers" in API group "" in the namespace "shop"');
    await sb.cluster.kubelet.deletePod('shop', 'eph', 0);
  });

  it('keeps the previous container log and reports CrashLoopBackOff after repeated crashes', async () => {
    await request(sb, '/api/v1/namespaces/shop/pods', {
      method: 'POST',
      body: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'crash' }, spec: { containers: [{ name: 'c', image: 'sandbox.local/toolbox:1', command: ['sh', '-c', 'echo boom $(date +%s%N); exit 2'] }] } },
    });
    let pod: any;
    for (let i = 0; i < 100; i++) {
      pod = (await request(sb, '/api/v1/namespaces/shop/pods/crash')).json();
      const s = pod.status?.containerStatuses?.[0];
      if (s?.state?.waiting?.reason === 'CrashLoopBackOff') break;
      await new Promise(r => setTimeout(r, 100));
    }
    const s = pod.status.containerStatuses[0];
    expect(s.state.waiting.reason).toBe('CrashLoopBackOff');
    expect(s.state.waiting.message).toMatch(/^back-off \d+s restarting failed container=c pod=crash_shop\(/);
    expect(s.restartCount).toBeGreaterThanOrEqual(1);
    expect(s.lastState.terminated).toMatchObject({ exitCode: 2, reason: 'Error' });
    const current = await request(sb, '/api/v1/namespaces/shop/pods/crash/log');
    const previous = await request(sb, '/api/v1/namespaces/shop/pods/crash/log?previous=true');
    expect(previous.body).toMatch(/^boom \d+\n$/);
    expect(current.body).toMatch(/^boom \d+\n$/);
    expect(current.body).not.toBe(previous.body); // two different runs (times differ)
    const ev = (await request(sb, '/api/v1/namespaces/shop/events?fieldSelector=involvedObject.name%3Dcrash,reason%3DBackOff')).json();
    expect(ev.items[0].message).toMatch(/^Back-off restarting failed container c in pod crash_shop\(/);
  });

  it('answers SelfSubjectAccessReview per token', async () => {
    const review = (token: string) =>
      request(sb, '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', {
        method: 'POST',
        token,
        body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: { namespace: 'shop', verb: 'get', resource: 'pods', subresource: 'log' } } },
      });
    expect((await review(sb.tokens.readonly)).json().status.allowed).toBe(true);
    expect((await review(sb.tokens.nologs)).json().status.allowed).toBe(false);
  });
});

describe('stopping the sandbox', () => {
  it('leaves no process, folder or open port behind', async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kt-sandbox-stop-'));
    const kubeconfig = path.join(tmp, 'kubeconfig');
    fs.writeFileSync(path.join(tmp, 'w.yaml'), WORKLOAD);
    const sb = await startSandbox({ workloads: [path.join(tmp, 'w.yaml')], kubeconfigPath: kubeconfig, pullDelayMs: 10 });
    const marked = () => findSandboxProcesses(sb.cluster.id);
    for (let i = 0; i < 50 && marked().length < 2; i++) await new Promise(r => setTimeout(r, 100));
    expect(marked().length).toBeGreaterThanOrEqual(2); // the containers really are processes
    expect(fs.existsSync(sb.cluster.dataDir)).toBe(true);
    await sb.stop();
    expect(marked()).toEqual([]);
    expect(fs.existsSync(sb.cluster.dataDir)).toBe(false);
    expect(fs.existsSync(kubeconfig)).toBe(false);
    await expect(request(sb, '/version')).rejects.toThrow(/ECONNREFUSED/);
    fs.rmSync(tmp, { recursive: true, force: true });
  });
});
