import { AddressInfo } from 'node:net';
import fs from 'node:fs';
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { mockCredentials, mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { ATTACH_PROTOCOL_PREFIX, CreateSessionResponse, RecordingCommand, OFFSET_PROTOCOL_PREFIX, TERMINAL_PROTOCOL } from '@kube-troubleshoot/backstage-plugin-common';
import { findSandboxProcesses, Pod, readRbacIdentity, Sandbox, startSandbox } from '@internal/sandbox-cluster';
import request from 'supertest';
import { JsonObject } from '@backstage/types';
import { schedulerServiceFactory } from '@backstage/backend-defaults/scheduler';
import kubeTroubleshootPlugin from '@kube-troubleshoot/backstage-plugin-backend';
// eslint-disable-next-line @backstage/no-forbidden-package-imports -- a system test of the plugin's own modules
import { parseAsciicast } from '@kube-troubleshoot/backstage-plugin-backend/src/audit/asciicast';
// eslint-disable-next-line @backstage/no-forbidden-package-imports -- a system test of the plugin's own modules
import { normalUserWrapper } from '@kube-troubleshoot/backstage-plugin-backend/src/shell/shellCommand';
import { waitFor } from '../support/tools';
import { TerminalClient } from '../support/terminalClient';

/**
 * Terminal sessions end to end: a real WebSocket client against the backend, the backend against
 * the sandbox cluster, shells in real (isolated, when root) containers.
 */
jest.setTimeout(90_000);

const ORIGIN = 'http://localhost:3000';
const ALICE = 'user:default/alice';
const BOB = 'user:default/bob';
const ADMIN = 'user:default/admin';

const WORKLOADS = `
apiVersion: v1
kind: Pod
metadata: { name: web-1, namespace: shop, labels: { 'backstage.io/kubernetes-id': web } }
spec:
  containers:
    - { name: main, image: sandbox.local/toolbox:1 }
    - { name: ledger, image: sandbox.local/distroless:1 }
---
apiVersion: v1
kind: Pod
metadata: { name: bb-1, namespace: shop, labels: { 'backstage.io/kubernetes-id': web } }
spec:
  containers: [{ name: main, image: sandbox.local/busybox-like:1 }]
---
apiVersion: v1
kind: Pod
metadata: { name: nonroot-1, namespace: shop, labels: { 'backstage.io/kubernetes-id': web } }
spec:
  securityContext: { runAsUser: 1000, runAsGroup: 1000 }
  containers: [{ name: main, image: sandbox.local/toolbox:1 }]
---
apiVersion: v1
kind: Pod
metadata: { name: crash-1, namespace: shop, labels: { 'backstage.io/kubernetes-id': web }, ownerReferences: [{ apiVersion: apps/v1, kind: ReplicaSet, name: crash-rs, uid: u-crash, controller: true }] }
spec:
  initContainers: [{ name: setup, image: sandbox.local/toolbox:1, command: ['true'] }]
  containers:
    - name: job
      image: sandbox.local/toolbox:1
      command: [sh, -c, 'echo "fatal: no config" >&2; exit 3']
      livenessProbe: { exec: { command: ['true'] } }
---
apiVersion: v1
kind: Pod
metadata: { name: stranger, namespace: shop, labels: { app: other } }
spec:
  containers: [{ name: c, image: sandbox.local/toolbox:1 }]
`;

const component = (name: string, owner: string): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name, namespace: 'default', annotations: { 'backstage.io/kubernetes-id': name, 'backstage.io/kubernetes-namespace': 'shop' } },
  spec: { type: 'service', lifecycle: 'production', owner },
});

let sandbox: Sandbox;
let tmp: string;
const isolated = process.getuid?.() === 0 && process.platform === 'linux';

interface AuditRecord {
  eventId: string;
  status: 'succeeded' | 'failed';
  meta: Record<string, unknown>;
}

async function backendWith(sessions: JsonObject = {}, token = sandbox.tokens.admin, debug: JsonObject = {}, realScheduler = false, recordings: JsonObject = {}) {
  const audit: AuditRecord[] = [];
  const backend = await startTestBackend({
    features: [
      // The real scheduler runs tasks on their schedule (the test one only on demand).
      ...(realScheduler ? [schedulerServiceFactory] : []),
      kubeTroubleshootPlugin,
      catalogServiceMock.factory({ entities: [component('web', 'team-a')] }),
      mockServices.rootConfig.factory({
        data: { permission: { enabled: true },
          app: { baseUrl: ORIGIN },
          kubeTroubleshoot: {
            clusters: [
              { name: 'dev', url: sandbox.url, caData: sandbox.caData, serviceAccountToken: token },
              { name: 'prod', url: sandbox.url, caData: sandbox.caData, serviceAccountToken: token, production: true },
            ],
            sessions: { heartbeatSeconds: 5, ...sessions },
            productionShell: { user: 'troubleshoot', writablePaths: ['/data'] },
            debug: { images: [{ name: 'debug-tools', image: 'sandbox.local/debug-tools:1', default: true }], ...debug },
            recordings,
          },
        },
      }),
      mockServices.permissions.mock({
        authorize: async (requests, options) => {
          const user = (options?.credentials.principal as { userEntityRef?: string }).userEntityRef ?? '';
          return requests.map(r => {
            const ref = (r as { resourceRef?: string }).resourceRef;
            if (!ref) return { result: user === ADMIN ? AuthorizeResult.ALLOW : AuthorizeResult.DENY }; // recordings.read
            return { result: user === ALICE || user === ADMIN ? AuthorizeResult.ALLOW : AuthorizeResult.DENY };
          });
        },
      }).factory,
      mockServices.auditor.mock({
        createEvent: async opts => ({
          success: async o => void audit.push({ eventId: opts.eventId, status: 'succeeded', meta: { ...opts.meta, ...o?.meta } }),
          fail: async o => void audit.push({ eventId: opts.eventId, status: 'failed', meta: { ...opts.meta, ...o.meta, error: o.error.message } }),
        }),
      }).factory,
    ],
  });
  const { port } = backend.server.address() as AddressInfo;
  return Object.assign(backend, { port, audit });
}

type Backend = Awaited<ReturnType<typeof backendWith>>;

type Client = TerminalClient;

/** Opens the session as the browser does: ticket and the user's token (alice's unless `user`; none with `user: null`). */
// eslint-disable-next-line @typescript-eslint/no-redeclare -- the client type and its opener share the name, as a class would
const Client = {
  open(backend: Backend, session: CreateSessionResponse, opts: { origin?: string; protocols?: string[]; user?: string | null } = {}) {
    const user = opts.user === undefined ? ALICE : opts.user;
    return TerminalClient.open(`http://127.0.0.1:${backend.port}`, session, { token: user ? mockCredentials.user.token(user) : undefined, origin: opts.origin ?? ORIGIN, protocols: opts.protocols });
  },
};

async function ticket(backend: Backend, user: string, body: Record<string, string>, entity = 'web') {
  return request(backend.server).post(`/api/kube-troubleshoot/entities/component/default/${entity}/sessions`).set('Authorization', mockCredentials.user.header(user)).send(body);
}

const opened: Client[] = [];

/** Opens a shell as the browser does: the size first, then input once the prompt shows. */
async function openShell(backend: Backend, body: Record<string, string>, user = ALICE) {
  const res = await ticket(backend, user, body);
  expect(res.status).toBe(201);
  const client = await Client.open(backend, res.body);
  opened.push(client);
  client.send({ type: 'resize', size: { cols: 100, rows: 30 } });
  await client.waitFor(() => !!client.ready || !!client.ended);
  return client;
}

// A failed test must not leave its shell running into the next one.
afterEach(() => {
  for (const c of opened.splice(0)) c.ws.close();
});

const execProcesses = () =>
  findSandboxProcesses(sandbox.cluster.id).filter(pid => {
    try {
      return fs.readFileSync(`/proc/${pid}/environ`, 'utf8').includes('KUBE_TROUBLESHOOT_EXEC=');
    } catch {
      return false;
    }
  });

let backend: Backend;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kt-sessions-test-'));
  fs.writeFileSync(path.join(tmp, 'w.yaml'), WORKLOADS);
  sandbox = await startSandbox({ workloads: [path.join(tmp, 'w.yaml')], pullDelayMs: 10 });
  const deadline = Date.now() + 20_000;
  while (!sandbox.cluster.store.list<Pod>('pods', 'shop').filter(p => p.metadata.name !== 'crash-1').every(p => p.status?.containerStatuses?.every(s => 'running' in s.state))) {
    if (Date.now() > deadline) throw new Error('the test pods did not start');
    await new Promise(r => setTimeout(r, 100));
  }
  backend = await backendWith({ maxPerUser: 3 });
});

afterAll(async () => {
  await backend?.stop();
  await sandbox?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('terminal sessions', () => {
  it('runs a shell: echo round trip, resize, exit code, and a recording that replays byte for byte', async () => {
    const client = await openShell(backend, { cluster: 'dev', pod: 'web-1', container: 'main' });
    client.type('echo hel""lo; stty size\r');
    await client.waitFor(/^hello\r$/m);
    expect(client.ready).toMatchObject({ shell: 'bash', production: false });
    // The pty takes a size as the resize arrives (the first one was sent before the prompt); ask until it tells.
    const sizeShows = (size: RegExp) =>
      waitFor(`the terminal size ${size}`, async () => {
        if (size.test(client.screen)) return true;
        client.type('stty size\r');
        await new Promise(r => setTimeout(r, 50));
        return size.test(client.screen);
      });
    await sizeShows(/^30 100\r$/m);
    client.send({ type: 'resize', size: { cols: 132, rows: 43 } });
    await sizeShows(/^43 132\r$/m);
    client.type('exit 7\r');
    await client.waitFor(() => !!client.ended);
    expect(client.screen).toMatch(/^43 132\r$/m);
    expect(client.ended).toEqual({ reason: 'exit', exitCode: 7, message: 'the shell exited with code 7' });
    const id = client.ready!.recordingId!;
    // Recorded as it went: the output events concatenated are what the browser was sent.
    let cast = '';
    for (let i = 0; i < 50 && !/"r","132x43"/.test(cast); i++) {
      await new Promise(r => setTimeout(r, 100));
      cast = (await request(backend.server).get(`/api/kube-troubleshoot/recordings/${id}?format=cast`).set('Authorization', mockCredentials.user.header(ALICE))).text;
    }
    const { header, events } = parseAsciicast(cast);
    expect(header).toMatchObject({ version: 2, title: 'web-1/main' });
    expect(events.filter(e => e[1] === 'o').map(e => e[2]).join('')).toBe(client.raw);
    expect(events.filter(e => e[1] === 'i').map(e => e[2]).join('')).toMatch(/^echo hel""lo; stty size\r(stty size\r)*exit 7\r$/);
    expect(events.filter(e => e[1] === 'r').map(e => e[2])).toEqual(['100x30', '132x43']);
    const meta = await request(backend.server).get(`/api/kube-troubleshoot/recordings/${id}`).set('Authorization', mockCredentials.user.header(ALICE));
    expect(meta.body).toMatchObject({ user: ALICE, entityRef: 'component:default/web', pod: 'web-1', container: 'main', exitCode: 7, endReason: 'exit' });
    expect(meta.body.bytesIn).toBe(Buffer.byteLength(events.filter(e => e[1] === 'i').map(e => e[2]).join('')));
    // Audited when the ticket was issued and when the session ended, the actor named in meta.
    expect(backend.audit.find(a => a.eventId === 'terminal-ticket')).toMatchObject({ status: 'succeeded', meta: { entityRef: 'component:default/web', pod: 'web-1' } });
    const ended = backend.audit.find(a => a.eventId === 'terminal-session' && a.meta.recordingId === id);
    expect(ended).toMatchObject({
      status: 'succeeded',
      meta: { actor: ALICE, entityRef: 'component:default/web', cluster: 'dev', namespace: 'shop', pod: 'web-1', container: 'main', production: false, endReason: 'exit', exitCode: 7, bytesIn: meta.body.bytesIn },
    });
    expect(ended!.meta.bytesOut).toBe(Buffer.byteLength(client.raw));
    expect(ended!.meta.durationMs).toBeGreaterThan(0);
  });

  it('closing the browser ends the shell and its processes in the container within 5 s', async () => {
    const before = execProcesses();
    const client = await openShell(backend, { cluster: 'dev', pod: 'web-1', container: 'main' });
    client.type('sleep 4242\r');
    const sleeping = () =>
      findSandboxProcesses(sandbox.cluster.id).filter(pid => fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').startsWith('sleep 4242'));
    await client.waitFor(() => sleeping().length === 1);
    const closed = Date.now();
    client.ws.close();
    await client.waitFor(() => sleeping().length === 0 && execProcesses().every(p => before.includes(p)), 5000);
    expect(Date.now() - closed).toBeLessThan(5000);
  });

  it('says plainly when the container has no shell', async () => {
    const client = await openShell(backend, { cluster: 'dev', pod: 'web-1', container: 'ledger' });
    await client.waitFor(() => !!client.ended);
    expect(client.ended).toMatchObject({ reason: 'no-shell' });
    expect(client.ended!.message).toContain('Use the Debug tab');
  });

  (isolated ? describe : describe.skip)('on a production cluster', () => {
    const check = 'id -u; id -un; (echo x >> /etc/passwd) 2>&1 | head -1; touch /data/ok && echo data-ok; echo "shell=$0"; exit\r';
    it.each([
      ['a normal image (useradd, setpriv)', 'web-1', 'troubleshoot', /shell=\S*bash/, 'bash'],
      ['a busybox-like image (adduser -D, su, no bash)', 'bb-1', 'troubleshoot', /shell=\S*sh/, 'sh'],
    ])('runs as a normal user on %s', async (_what, pod, user, shell, named) => {
      const client = await openShell(backend, { cluster: 'prod', pod, container: 'main' });
      client.type(check);
      await client.waitFor(() => !!client.ended);
      // The status names the shell the wrapper runs.
      expect(client.ready).toMatchObject({ production: true, shell: `${named} as troubleshoot (production)` });
      // Typed ahead, the command line is echoed before the prompt; output may follow the prompt.
      const uid = /^(?:\$ )?(\d+)\r$/m.exec(client.screen)?.[1];
      expect(Number(uid)).toBeGreaterThan(0);
      expect(client.screen).toMatch(new RegExp(`^${user}\\r$`, 'm'));
      expect(client.screen).toMatch(/Permission denied/);
      expect(client.screen).toMatch(/^data-ok\r$/m);
      expect(client.screen).toMatch(shell);
    });
    it('refuses to run as a configured user that has uid 0 in the image', async () => {
      const run = (argv: string[]) =>
        new Promise<{ out: string; code?: number }>(resolve => {
          const endpoint = sandbox.cluster.kubelet.exec('shop', 'bb-1', 'main', { argv, stdin: false, tty: false });
          let out = '';
          endpoint.onOutput((_s, d) => (out += d));
          endpoint.onEnd(end => resolve({ out, code: end.kind === 'exit' ? end.code : undefined }));
        });
      await run(['adduser', '-D', '-H', '-u', '0', 'toor']);
      const r = await run(['sh', '-c', normalUserWrapper(), 'normal-user', 'toor', '/tmp/x']);
      expect(r).toEqual({ out: 'kube-troubleshoot: the user toor has uid or gid 0 (or none): refusing to open a shell\n', code: 126 });
    });

    it('reads files as the normal user: a root-only file is refused, naming the user', async () => {
      const files = (query: Record<string, string>) =>
        request(backend.server).get(`/api/kube-troubleshoot/entities/component/default/web/files?${new URLSearchParams(query)}`).set('Authorization', mockCredentials.user.header(ALICE));
      const denied = await files({ cluster: 'prod', pod: 'web-1', container: 'main', path: '/etc/shadow' });
      expect(denied.status).toBe(403);
      expect(denied.body.error.message).toBe('/etc/shadow in container main of pod web-1 cannot be read by the user troubleshoot (production)');
      const readable = await files({ cluster: 'prod', pod: 'web-1', container: 'main', path: '/etc/hostname' });
      expect(readable.status).toBe(200);
      // The same file on a cluster that is not production is read as the container's own (root) user.
      expect((await files({ cluster: 'dev', pod: 'web-1', container: 'main', path: '/etc/shadow' })).status).toBe(200);
    });

    it('gives a non-root container its shell directly', async () => {
      const client = await openShell(backend, { cluster: 'prod', pod: 'nonroot-1', container: 'main' });
      client.type('id -u; exit\r');
      await client.waitFor(() => !!client.ended);
      expect(client.screen).toMatch(/^1000\r$/m);
      expect(client.ended).toMatchObject({ reason: 'exit', exitCode: 0 });
    });
  });

  it('refuses a reused ticket, a foreign Origin and a missing ticket, opening nothing upstream', async () => {
    const res = await ticket(backend, ALICE, { cluster: 'dev', pod: 'web-1', container: 'main' });
    const before = execProcesses().length;
    await expect(Client.open(backend, res.body, { origin: 'https://evil.example' })).rejects.toMatchObject({ status: 403 });
    await expect(Client.open(backend, res.body, { protocols: ['kube-troubleshoot.terminal.v1'] })).rejects.toMatchObject({ status: 401 });
    const first = await Client.open(backend, res.body);
    first.ws.close();
    const reused = await Client.open(backend, res.body).catch(e => e);
    expect(reused).toMatchObject({ status: 401 });
    expect(reused.body).toContain('the ticket was already used');
    const forged = await Client.open(backend, { ...res.body, protocols: ['kube-troubleshoot.terminal.v1', `ticket.${'A'.repeat(43)}`] }).catch(e => e);
    expect(forged.body).toContain('the ticket is unknown');
    // The ticket is bound to its user: the token must be theirs, and there must be one.
    const other = await ticket(backend, ALICE, { cluster: 'dev', pod: 'web-1', container: 'main' });
    await expect(Client.open(backend, other.body, { user: null })).rejects.toMatchObject({ status: 401, body: expect.stringContaining('Backstage token is required') });
    await expect(Client.open(backend, other.body, { protocols: [...other.body.protocols, 'bearer.bm90LWEtdG9rZW4'], user: null })).rejects.toMatchObject({ status: 401, body: expect.stringContaining('token is not valid') });
    const stolen = await Client.open(backend, other.body, { user: BOB }).catch(e => e);
    expect(stolen).toMatchObject({ status: 403 });
    expect(stolen.body).toContain('the ticket was issued to another user');
    // Every refusal is audited as failed, with its status, and never with the ticket's value.
    const refused = backend.audit.filter(a => a.eventId === 'session-connect');
    expect(refused.map(a => [a.status, a.meta.status])).toEqual([
      ['failed', 403], ['failed', 401], ['failed', 401], ['failed', 401], ['failed', 401], ['failed', 401], ['failed', 403],
    ]);
    expect(refused.map(a => a.meta.actor)).toEqual([ALICE, ALICE, ALICE, ALICE, 'unknown', 'unknown', BOB]);
    expect(JSON.stringify(refused)).not.toContain(res.body.ticket);
    expect(JSON.stringify(refused)).not.toContain(other.body.ticket);
    // Bob's attempt did not use alice's ticket up.
    const mine = await Client.open(backend, other.body);
    mine.ws.close();
    await waitFor('the shells to end', () => execProcesses().length <= before);
  });

  it('refuses a non-owner, a pod of another entity, a stopped container and bad bodies', async () => {
    const bob = await ticket(backend, BOB, { cluster: 'dev', pod: 'web-1', container: 'main' });
    expect(bob.status).toBe(403);
    expect(bob.body.error.message).toContain('kube-troubleshoot.terminal.create');
    const stranger = await ticket(backend, ALICE, { cluster: 'dev', pod: 'stranger', container: 'c' });
    expect(stranger.status).toBe(404);
    const noContainer = await ticket(backend, ALICE, { cluster: 'dev', pod: 'web-1', container: 'nope' });
    expect(noContainer.status).toBe(400);
    const bad = await ticket(backend, ALICE, { cluster: 'dev', pod: 'web-1' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toBe('body field container is required');
  });

  it('enforces the per-user limit', async () => {
    const open = await Promise.all([1, 2, 3].map(() => openShell(backend, { cluster: 'dev', pod: 'web-1', container: 'main' })));
    const fourth = await ticket(backend, ALICE, { cluster: 'dev', pod: 'web-1', container: 'main' });
    expect(fourth.status).toBe(429);
    expect(fourth.body.error.message).toContain('maxPerUser = 3');
    for (const c of open) c.ws.close();
  });

  it('lists recordings: a user their own, recordings.read holders everyone\'s', async () => {
    const mine = await request(backend.server).get('/api/kube-troubleshoot/recordings').set('Authorization', mockCredentials.user.header(ALICE));
    expect(mine.body.scope).toBe('own');
    expect(mine.body.items.length).toBeGreaterThan(0);
    expect(mine.body.items.every((r: { user: string }) => r.user === ALICE)).toBe(true);
    const bobs = await request(backend.server).get('/api/kube-troubleshoot/recordings').set('Authorization', mockCredentials.user.header(BOB));
    expect(bobs.body).toEqual({ items: [], scope: 'own' });
    const id = mine.body.items[0].id;
    expect((await request(backend.server).get(`/api/kube-troubleshoot/recordings/${id}`).set('Authorization', mockCredentials.user.header(BOB))).status).toBe(404);
    const all = await request(backend.server).get(`/api/kube-troubleshoot/recordings?user=${encodeURIComponent(ALICE)}`).set('Authorization', mockCredentials.user.header(ADMIN));
    expect(all.body.scope).toBe('all');
    expect(all.body.items.length).toBe(mine.body.items.length);
    const perEntity = await request(backend.server).get('/api/kube-troubleshoot/entities/component/default/web/recordings').set('Authorization', mockCredentials.user.header(ADMIN));
    expect(perEntity.body.items.length).toBeGreaterThanOrEqual(mine.body.items.length);
    expect((await request(backend.server).get('/api/kube-troubleshoot/recordings?from=yesterday').set('Authorization', mockCredentials.user.header(ADMIN))).status).toBe(400);
  });
});

describe('the command index', () => {
  const marks = (c: Client, kind: string) => c.raw.split(`\x1b]633;${kind};`).length - 1;
  /** Types each line once the shell has reported the previous one's status (`D` marks), as a user waits for the prompt. */
  async function run(client: Client, lines: string[], promptMarks: number) {
    for (const [i, line] of lines.entries()) {
      // eslint-disable-next-line no-control-regex -- the prompt ends before the shell's last mark
      await client.waitFor(() => marks(client, 'D') >= promptMarks + i && /[#$] (\x1b\][^\x07]*\x07)?$/.test(client.raw));
      client.type(`${line}\r`);
    }
    await client.waitFor(() => !!client.ended);
  }
  const recording = async (id: string, user = ALICE) =>
    (await request(backend.server).get(`/api/kube-troubleshoot/recordings/${id}`).set('Authorization', mockCredentials.user.header(user))).body;

  it('records what bash ran, each with its status and moment, as bash itself names it', async () => {
    const client = await openShell(backend, { cluster: 'dev', pod: 'web-1', container: 'main' });
    await run(client, ['echo one; false', '  echo hidden-by-space', 'mkdir -p /tmp/kt-scratch && rm -rf /tmp/kt-scratch', 'exit 4'], 0);
    expect(client.ended).toMatchObject({ reason: 'exit', exitCode: 4 });
    // What the user sees carries no mark (terminals do not print OSC sequences).
    expect(client.screen).not.toContain('633;');
    const body = await recording(client.ready!.recordingId!);
    expect(body.commands.map((c: RecordingCommand) => [c.command, c.exitCode, c.source])).toEqual([
      ['echo one; false', 1, 'shell'],
      ['echo hidden-by-space', 0, 'shell'],
      ['mkdir -p /tmp/kt-scratch && rm -rf /tmp/kt-scratch', 0, 'shell'],
      ['exit 4', 4, 'shell'],
    ]);
    const times = body.commands.map((c: RecordingCommand) => c.at);
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    // Each moment is in the recording: the command's output follows it.
    const { events } = parseAsciicast(body.cast);
    const outputAfter = (at: number) => events.filter(e => e[1] === 'o' && e[0] >= at).map(e => e[2]).join('');
    expect(outputAfter(times[1])).toContain('hidden-by-space\r\n');
    expect(outputAfter(times[2])).not.toContain('hidden-by-space\r\n');
  });

  (isolated ? describe : describe.skip)('on a production cluster', () => {
    it('records what a plain sh ran, from the line typed at its marked prompt, as the normal user', async () => {
      const client = await openShell(backend, { cluster: 'prod', pod: 'bb-1', container: 'main' });
      await run(client, ['echo t\x7fwo', 'cat /nope', 'exit'], 1);
      expect(client.ready).toMatchObject({ shell: 'sh as troubleshoot (production)' });
      const body = await recording(client.ready!.recordingId!);
      expect(body.commands.map((c: RecordingCommand) => [c.command, c.exitCode, c.source])).toEqual([
        ['echo wo', 0, 'input'],
        ['cat /nope', 1, 'input'],
        ['exit', 1, 'input'],
      ]);
    });
  });

  it('finds recordings by command text, cluster, production and user; bad filters name the problem', async () => {
    const search = (query: Record<string, string>, user = ADMIN) =>
      request(backend.server).get(`/api/kube-troubleshoot/recordings?${new URLSearchParams(query)}`).set('Authorization', mockCredentials.user.header(user));
    const found = await search({ command: 'RM -RF', cluster: 'dev', production: 'false', user: ALICE });
    expect(found.status).toBe(200);
    expect(found.body.items.length).toBeGreaterThanOrEqual(1);
    for (const item of found.body.items) {
      expect(item).toMatchObject({ user: ALICE, cluster: 'dev', production: false });
      expect(item.matches.map((m: RecordingCommand) => m.command)).toEqual(['mkdir -p /tmp/kt-scratch && rm -rf /tmp/kt-scratch']);
    }
    expect((await search({ command: 'rm -rf', production: 'true' })).body.items).toEqual([]);
    // Without recordings.read, a search covers only one's own sessions.
    expect((await search({ command: 'rm -rf' }, BOB)).body).toEqual({ items: [], scope: 'own' });
    const bad = await search({ production: 'maybe' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toBe("query parameter production must be one of true, false");
    expect((await search({ command: ' ' })).status).toBe(400);
    // The search is audited with what was looked for.
    expect(backend.audit.filter(a => a.eventId === 'recordings-list' && a.meta.command === 'RM -RF')).toHaveLength(1);
  });
});

describe('sessions that outlive their socket, and live join', () => {
  const attachProtocols = (token: string, offset?: number) => [TERMINAL_PROTOCOL, `${ATTACH_PROTOCOL_PREFIX}${token}`, ...(offset === undefined ? [] : [`${OFFSET_PROTOCOL_PREFIX}${offset}`])];
  const attach = (b: Backend, protocols: string[], user: string | null = ALICE) => Client.open(b, { path: '/api/kube-troubleshoot/sessions/ws', protocols } as CreateSessionResponse, { protocols, user });
  const bytes = (c: Client) => c.output.reduce((n, b) => n + b.length, 0);

  it('keeps the shell through a dropped socket: the owner reattaches once with its resume token, gets what it missed, and its variables are still set', async () => {
    const client = await openShell(backend, { cluster: 'dev', pod: 'web-1', container: 'main' });
    expect(client.ready).toMatchObject({ role: 'owner', owner: ALICE, reattachGraceSeconds: 60, sessionId: expect.stringMatching(/^[0-9a-f-]{36}$/), resumeToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) });
    const first = client.ready!;
    client.type("export KT_MARK=kept-$((40+2)); (sleep 1; echo 'late-'output) &\r");
    await client.waitFor(/\[1\] \d+/);
    // The network drops: no close frame (the backend sees 1006).
    client.ws.terminate();
    const seen = bytes(client);
    // The background echo runs while no browser is there: the recording has it.
    await waitFor('the output made while away', async () => {
      const r = await request(backend.server).get(`/api/kube-troubleshoot/recordings/${first.recordingId}`).set('Authorization', mockCredentials.user.header(ALICE));
      return r.body.cast?.includes('late-output') ? true : undefined;
    });
    // Another user cannot use the token, and does not spend it.
    await expect(attach(backend, attachProtocols(first.resumeToken!, seen), BOB)).rejects.toMatchObject({ status: 403 });
    const back = await attach(backend, attachProtocols(first.resumeToken!, seen));
    opened.push(back);
    await back.waitFor(() => !!back.ready);
    expect(back.ready).toMatchObject({ resumed: true, sessionId: first.sessionId, role: 'owner' });
    expect(back.ready!.resumeToken).not.toBe(first.resumeToken);
    // Only what it missed: the late output, not the screen it has.
    expect(back.screen).toContain('late-output');
    expect(back.screen).not.toContain('export KT_MARK');
    expect(back.ready!.outputOffset).toBe(seen + bytes(back));
    back.type('echo "<$KT_MARK>"\r');
    await back.waitFor(/<kept-42>/);
    // Single use.
    await expect(attach(backend, attachProtocols(first.resumeToken!, 0))).rejects.toMatchObject({ status: 401, body: expect.stringContaining('already used') });
    // A reload (offset 0): the kept screen again, after a reset, and the shell still there.
    const reload = await attach(backend, attachProtocols(back.ready!.resumeToken!, 0));
    opened.push(reload);
    await reload.waitFor(() => !!reload.ready);
    expect(reload.screen.startsWith('\x1bc')).toBe(true);
    expect(reload.screen).toContain('<kept-42>');
    // The window it replaced is told and closed.
    await back.waitFor(() => !!back.closed);
    expect(back.closed!.code).toBe(4001);
    await reload.exit(0);
    await waitFor('the audit events', async () => (backend.audit.some(e => e.eventId === 'session-resume' && e.meta.sessionId === first.sessionId) ? true : undefined));
    expect(backend.audit.filter(e => e.eventId === 'session-resume' && e.meta.sessionId === first.sessionId)).toHaveLength(2);
  });

  it('ends the shell when the browser does not come back within the grace period, and says so', async () => {
    const short = await backendWith({ reattachGraceSeconds: 1 });
    try {
      const res = await ticket(short, ALICE, { cluster: 'dev', pod: 'web-1', container: 'main' });
      const client = await Client.open(short, res.body);
      client.send({ type: 'resize', size: { cols: 80, rows: 24 } });
      await client.waitFor(() => !!client.ready);
      client.type('sleep 4343\r');
      const sleeping = () => findSandboxProcesses(sandbox.cluster.id).filter(pid => fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').startsWith('sleep\u00004343'));
      await client.waitFor(() => sleeping().length === 1);
      client.ws.terminate();
      await waitFor('the shell to end after the grace', async () => (sleeping().length === 0 ? true : undefined), 8000);
      const done = await waitFor('the session audit', async () => short.audit.find(e => e.eventId === 'terminal-session' && e.meta.endReason));
      expect(done.meta).toMatchObject({ endReason: 'disconnected' });
      await expect(attach(short, attachProtocols(client.ready!.resumeToken!, 0))).rejects.toMatchObject({ status: 401 });
    } finally {
      await short.stop();
    }
  });

  it('lets the owner share: a permitted watcher sees the typing live, read-only; a platform admin ends it; the recording notes who watched', async () => {
    const owner = await openShell(backend, { cluster: 'dev', pod: 'web-1', container: 'main' });
    const { sessionId } = owner.ready!;
    const watchRoute = `/api/kube-troubleshoot/entities/component/default/web/sessions/${sessionId}/watch`;
    const watchAs = (user: string) => request(backend.server).post(watchRoute).set('Authorization', mockCredentials.user.header(user));
    const live = (user: string) => request(backend.server).get('/api/kube-troubleshoot/entities/component/default/web/sessions/live').set('Authorization', mockCredentials.user.header(user));
    // Not shared yet: nobody may watch, and others do not see it listed.
    expect((await watchAs(ADMIN)).status).toBe(403);
    expect((await live(ADMIN)).body.items.map((s: { sessionId: string }) => s.sessionId)).not.toContain(sessionId);
    expect((await live(ALICE)).body.items).toEqual(expect.arrayContaining([expect.objectContaining({ sessionId, user: ALICE, pod: 'web-1', container: 'main', shared: false })]));
    owner.send({ type: 'control', control: { action: 'share' } });
    await waitFor('sharing to be stored', async () => ((await live(ADMIN)).body.items.some((s: { sessionId: string; shared: boolean }) => s.sessionId === sessionId && s.shared) ? true : undefined));
    // Without kube-troubleshoot.terminal.watch on the entity: refused. Its own owner: not a watcher.
    expect((await watchAs(BOB)).status).toBe(403);
    expect((await watchAs(ALICE)).status).toBe(409);
    expect((await request(backend.server).post('/api/kube-troubleshoot/entities/component/default/web/sessions/not-a-uuid/watch').set('Authorization', mockCredentials.user.header(ADMIN))).status).toBe(400);
    const seat = await watchAs(ADMIN);
    expect(seat.status).toBe(201);
    expect(seat.body).toMatchObject({ role: 'moderator', session: { sessionId, user: ALICE } });
    owner.type('echo before-$((1+1))\r');
    await owner.waitFor(/before-2/);
    const watcher = await attach(backend, seat.body.protocols, ADMIN);
    opened.push(watcher);
    await watcher.waitFor(() => !!watcher.ready);
    expect(watcher.ready).toMatchObject({ role: 'moderator', owner: ALICE, resumed: true });
    expect(watcher.ready!.resumeToken).toBeUndefined();
    // The screen so far, then the owner's typing as it happens.
    expect(watcher.screen).toContain('before-2');
    owner.type('echo live-$((2+3))\r');
    await watcher.waitFor(/live-5/);
    // Read-only: what the watcher types goes nowhere.
    watcher.type('echo intruder\r');
    await watcher.waitFor(() => watcher.errors.some(e => /read-only/.test(e)));
    expect(owner.screen).not.toContain('intruder');
    // A seat is single use.
    await expect(attach(backend, seat.body.protocols, ADMIN)).rejects.toMatchObject({ status: 401 });
    // The owner sees who watches.
    const participants = () => owner.participants;
    await waitFor('the owner to see the watcher', async () => (participants()?.watchers.some(w => w.user === ADMIN) ? true : undefined));
    watcher.send({ type: 'control', control: { action: 'terminate' } });
    await owner.waitFor(() => !!owner.ended);
    await watcher.waitFor(() => !!watcher.ended);
    expect(owner.ended).toMatchObject({ reason: 'terminated', message: `ended by ${ADMIN}` });
    const summary = await waitFor('the session audit', async () => backend.audit.find(e => e.eventId === 'terminal-session' && e.meta.sessionId === sessionId && e.meta.endReason));
    expect(summary.meta).toMatchObject({ endReason: 'terminated', watchers: [ADMIN], terminatedBy: ADMIN });
    expect(backend.audit.find(e => e.eventId === 'session-join' && e.meta.sessionId === sessionId)).toMatchObject({ status: 'succeeded', meta: { actor: ADMIN, owner: ALICE, role: 'moderator' } });
    expect(backend.audit.find(e => e.eventId === 'session-terminate' && e.meta.sessionId === sessionId)).toMatchObject({ meta: { actor: ADMIN, owner: ALICE } });
    const recordingId = owner.ready!.recordingId!;
    const rec = await waitFor('the recording to close', async () => {
      const r = await request(backend.server).get(`/api/kube-troubleshoot/recordings/${recordingId}`).set('Authorization', mockCredentials.user.header(ALICE));
      return r.body.endedAt ? r.body : undefined;
    });
    expect(rec).toMatchObject({ endReason: 'terminated', watchers: [ADMIN] });
    const markers = parseAsciicast(rec.cast).events.filter(e => e[1] === 'm').map(e => e[2]);
    expect(markers).toEqual([`${ALICE} shared the session`, `${ADMIN} joined as a moderator`, `${ADMIN} ended the session`]);
  });
});

describe('session timeouts', () => {
  let short: Backend;
  beforeAll(async () => {
    short = await backendWith({ idleTimeoutSeconds: 2, warnBeforeSeconds: 1, ticketTtlSeconds: 1 });
  });
  afterAll(() => short?.stop());

  it('warns, then ends an idle session', async () => {
    const client = await openShell(short, { cluster: 'dev', pod: 'web-1', container: 'main' });
    await client.waitFor(() => !!client.ended, 6000);
    expect(client.notices).toEqual([{ kind: 'idle', secondsLeft: 1, message: 'No input for a while: this session closes in 1 s unless you type.' }]);
    expect(client.ended).toMatchObject({ reason: 'idle', message: 'the session was idle for 2 s' });
  });

  it('typing postpones the end: warned again only after a new silence, ended 2 s after the last key', async () => {
    const client = await openShell(short, { cluster: 'dev', pod: 'web-1', container: 'main' });
    await client.waitFor(() => client.notices.length === 1, 4000);
    // A key after the warning: the countdown starts again from it.
    const lastKey = Date.now();
    client.type(' ');
    await client.waitFor(() => !!client.ended, 6000);
    const endedAfter = Date.now() - lastKey;
    expect(endedAfter).toBeGreaterThanOrEqual(1900);
    expect(client.notices).toHaveLength(2);
    expect(client.ended).toMatchObject({ reason: 'idle' });
  });

  it('records no input with recordings.input false (what is typed stays out of the database)', async () => {
    const quiet = await backendWith({}, sandbox.tokens.admin, {}, false, { input: false });
    try {
      const client = await openShell(quiet, { cluster: 'dev', pod: 'web-1', container: 'main' });
      client.type('echo secret-$((6*7)); exit\r');
      await client.waitFor(() => !!client.ended);
      const id = client.ready!.recordingId!;
      let cast = '';
      for (let i = 0; i < 50 && !cast.includes('secret-42'); i++) {
        await new Promise(r => setTimeout(r, 100));
        cast = (await request(quiet.server).get(`/api/kube-troubleshoot/recordings/${id}?format=cast`).set('Authorization', mockCredentials.user.header(ALICE))).text;
      }
      const { events } = parseAsciicast(cast);
      expect(events.some(e => e[1] === 'o' && e[2].includes('secret-42'))).toBe(true);
      expect(events.filter(e => e[1] === 'i')).toEqual([]);
    } finally {
      await quiet.stop();
    }
  });

  it('refuses an expired ticket', async () => {
    const res = await ticket(short, ALICE, { cluster: 'dev', pod: 'web-1', container: 'main' });
    await waitFor('the ticket to expire', () => Date.now() > Date.parse(res.body.expiresAt) + 50, 5000);
    const expired = await Client.open(short, res.body).catch(e => e);
    expect(expired).toMatchObject({ status: 401 });
    expect(expired.body).toContain('the ticket expired');
  });

  it('ends sessions with a reason when the backend stops', async () => {
    const client = await openShell(short, { cluster: 'dev', pod: 'web-1', container: 'main' });
    client.type('echo up\r');
    await client.waitFor(/^up\r$/m);
    await short.stop();
    await client.waitFor(() => !!client.ended, 5000);
    expect(client.ended).toMatchObject({ reason: 'shutdown' });
  });
});

describe('session duration and replica limits', () => {
  let capped: Backend;
  beforeAll(async () => {
    capped = await backendWith({ maxDurationSeconds: 2, warnBeforeSeconds: 1, maxPerReplica: 1 });
  });
  afterAll(() => capped?.stop());

  it('warns, then ends a session at its maximum duration, and holds the replica limit meanwhile', async () => {
    const client = await openShell(capped, { cluster: 'dev', pod: 'web-1', container: 'main' });
    const second = await ticket(capped, ALICE, { cluster: 'dev', pod: 'web-1', container: 'main' });
    expect(second.status).toBe(429);
    expect(second.body.error.message).toContain('maxPerReplica = 1');
    const typing = setInterval(() => client.type(' '), 300); // activity does not extend the maximum
    try {
      await client.waitFor(() => !!client.ended, 6000);
    } finally {
      clearInterval(typing);
    }
    expect(client.notices.map(n => n.kind)).toEqual(['max-duration']);
    expect(client.ended).toMatchObject({ reason: 'max-duration', message: 'the session reached its maximum duration (2 s)' });
    await client.waitFor(() => capped.audit.some(a => a.eventId === 'terminal-session'));
    expect((await ticket(capped, ALICE, { cluster: 'dev', pod: 'web-1', container: 'main' })).status).toBe(201);
  });

  it('refuses a WebSocket on a full replica without spending its ticket (a retry may reach another replica)', async () => {
    // Two tickets while the replica is empty: both pass; the second WebSocket finds it full.
    const first = await ticket(capped, ALICE, { cluster: 'dev', pod: 'web-1', container: 'main' });
    const second = await ticket(capped, ALICE, { cluster: 'dev', pod: 'web-1', container: 'main' });
    expect([first.status, second.status]).toEqual([201, 201]);
    const client = await Client.open(capped, first.body);
    opened.push(client);
    client.send({ type: 'resize', size: { cols: 80, rows: 24 } });
    await client.waitFor(() => !!client.ready);
    const refused = await Client.open(capped, second.body).then(() => undefined, (e: { status: number; body: string }) => e);
    expect(refused?.status).toBe(503);
    expect(JSON.parse(refused!.body).error.message).toMatch(/this backend replica already serves 1 terminal sessions \(kubeTroubleshoot\.sessions\.maxPerReplica = 1\); the ticket is still valid/);
    client.type('exit\r');
    await client.waitFor(() => !!client.ended);
    const retried = await waitFor('the same ticket, once there is room', () => Client.open(capped, second.body).catch(() => undefined), 5000);
    opened.push(retried);
    retried.send({ type: 'resize', size: { cols: 80, rows: 24 } });
    await retried.waitFor(() => !!retried.ready);
  });
});

describe('the least-privilege RBAC of examples/rbac.yaml', () => {
  it('is enough for a terminal, and without pods/exec the user is told what is missing', async () => {
    const rbacFile = path.resolve(__dirname, '../../examples/rbac.yaml');
    const least = await backendWith({}, sandbox.addRbacToken(rbacFile));
    try {
      const client = await openShell(least, { cluster: 'dev', pod: 'web-1', container: 'main' });
      client.type('echo ok$((1+1)); exit\r');
      await client.waitFor(() => !!client.ended);
      expect(client.screen).toMatch(/^ok2\r$/m);
      // The Debug tab's calls too: a tool container (patch + attach) and a pod copy (create, delete).
      const dbg = await request(least.server).post('/api/kube-troubleshoot/entities/component/default/web/debug').set('Authorization', mockCredentials.user.header(ALICE)).send({ cluster: 'dev', pod: 'web-1', targetContainer: 'main', reuse: false });
      expect(dbg.status).toBe(201);
      const attached = await Client.open(least, dbg.body);
      opened.push(attached);
      await attached.waitFor(() => !!attached.ready);
      attached.type('exit\r');
      await attached.waitFor(() => !!attached.ended);
      expect(attached.ended).toMatchObject({ reason: 'exit' });
      const fork = await request(least.server).post('/api/kube-troubleshoot/entities/component/default/web/forks').set('Authorization', mockCredentials.user.header(ALICE)).send({ cluster: 'dev', pod: 'crash-1', container: 'job' });
      expect(fork.status).toBe(201);
      const del = await request(least.server).delete(`/api/kube-troubleshoot/entities/component/default/web/forks/${fork.body.fork.name}?cluster=dev`).set('Authorization', mockCredentials.user.header(ALICE));
      expect(del.status).toBe(204);
    } finally {
      await least.stop();
    }
    const withoutExec = await backendWith({}, sandbox.addToken('system:serviceaccount:backstage:no-exec', readRbacIdentity(rbacFile).rules.filter(r => !r.resources.includes('pods/exec'))));
    try {
      const client = await openShell(withoutExec, { cluster: 'dev', pod: 'web-1', container: 'main' });
      await client.waitFor(() => !!client.ended);
      expect(client.ended).toMatchObject({ reason: 'upstream' });
      expect(client.ended!.message).toMatch(/lacks RBAC permission "(get|create)" on "pods\/exec" in namespace "shop"/);
    } finally {
      await withoutExec.stop();
    }
  });
});

describe('debug containers', () => {
  const debug = (user: string, body: Record<string, unknown>) =>
    request(backend.server).post('/api/kube-troubleshoot/entities/component/default/web/debug').set('Authorization', mockCredentials.user.header(user)).send(body);

  it('attaches a tool container to a distroless container: its processes and its files', async () => {
    const res = await debug(ALICE, { cluster: 'dev', pod: 'web-1', targetContainer: 'ledger' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ reused: false, profile: 'general', image: 'sandbox.local/debug-tools:1', note: expect.stringContaining('cannot be removed') });
    expect(res.body.container).toMatch(/^debugger-[a-z0-9]{5}$/);
    const client = await Client.open(backend, res.body);
    opened.push(client);
    client.send({ type: 'resize', size: { cols: 120, rows: 40 } });
    await client.waitFor(() => !!client.ready);
    expect(client.ready!.shell).toBe(`debug container ${res.body.container}`);
    client.type('ps -eo args; ls /proc/1/root/app\r');
    await client.waitFor(/server\.js\s*\r$/m);
    expect(client.screen).toMatch(/\/app\/node \/app\/server\.js/);
    // The same user, target and image while it runs: attached again, not another container.
    const again = await debug(ALICE, { cluster: 'dev', pod: 'web-1', targetContainer: 'ledger' });
    expect(again.body).toMatchObject({ reused: true, container: res.body.container });
    client.type('exit\r');
    await client.waitFor(() => !!client.ended);
    const status = await (async () => {
      for (let i = 0; i < 50; i++) {
        const pod = sandbox.cluster.store.get<Pod>('pods', 'shop', 'web-1')!;
        const s = (pod.status?.ephemeralContainerStatuses as Array<{ name: string; state: Record<string, unknown> }> | undefined)?.find(x => x.name === res.body.container);
        if (s && 'terminated' in s.state) return s;
        await new Promise(r => setTimeout(r, 100));
      }
      return undefined;
    })();
    expect(status).toBeDefined();
    expect(backend.audit.find(a => a.eventId === 'debug-container' && a.meta.debugContainer === res.body.container)).toMatchObject({ status: 'succeeded', meta: { profile: 'general' } });
    expect(backend.audit.find(a => a.eventId === 'debug-session')).toMatchObject({ meta: { actor: ALICE, container: res.body.container } });
  });

  it('refuses images and profiles that are not allowed, naming those that are', async () => {
    const image = await debug(ALICE, { cluster: 'dev', pod: 'web-1', targetContainer: 'ledger', image: 'docker.io/evil:latest' });
    expect(image.status).toBe(400);
    expect(image.body.error.message).toBe('the image "docker.io/evil:latest" is not allowed; use one of: debug-tools');
    const profile = await debug(ALICE, { cluster: 'dev', pod: 'web-1', targetContainer: 'ledger', profile: 'sysadmin' });
    expect(profile.status).toBe(400);
    expect(profile.body.error.message).toBe('the profile "sysadmin" is not offered on cluster dev; use one of: general, baseline, restricted');
    const target = await debug(ALICE, { cluster: 'dev', pod: 'web-1', targetContainer: 'nope' });
    expect(target.status).toBe(400);
  });

  it('uses restricted on production clusters, and says why a root tool image cannot run under it', async () => {
    const res = await debug(ALICE, { cluster: 'prod', pod: 'web-1', targetContainer: 'ledger' });
    expect(res.status).toBe(502);
    expect(res.body.error.message).toMatch(/cannot start with profile restricted: container has runAsNonRoot and image will run as root/);
  });

  it('refuses a non-owner and a pod of another entity', async () => {
    expect((await debug(BOB, { cluster: 'dev', pod: 'web-1', targetContainer: 'ledger' })).status).toBe(403);
    expect((await debug(ALICE, { cluster: 'dev', pod: 'stranger', targetContainer: 'c' })).status).toBe(404);
  });
});

describe('pod copies (forks)', () => {
  const forks = (b: Backend, user: string) => request(b.server).post('/api/kube-troubleshoot/entities/component/default/web/forks').set('Authorization', mockCredentials.user.header(user));
  const podOf = (name: string) => sandbox.cluster.store.get<Pod>('pods', 'shop', name);

  it('forks a crash-looping pod: stripped, sleeping; its shell runs the entrypoint by hand; the copy goes with the session', async () => {
    const res = await forks(backend, ALICE).send({ cluster: 'dev', pod: 'crash-1', container: 'job' });
    expect(res.status).toBe(201);
    const { fork } = res.body;
    expect(fork).toMatchObject({ cluster: 'dev', namespace: 'shop', forkOf: 'crash-1', user: ALICE, phase: 'Running' });
    expect(fork.name).toMatch(/^crash-1-debug-[0-9a-f]{5}$/);
    const copy = podOf(fork.name)!;
    expect(copy.metadata.labels).toEqual({ 'kube-troubleshoot.io/fork-of': 'crash-1' });
    expect(copy.metadata.ownerReferences).toBeUndefined();
    expect(copy.spec.initContainers).toBeUndefined();
    expect(copy.spec.containers[0]).toMatchObject({ name: 'job', command: ['sleep', '3600'] });
    expect(copy.spec.containers[0].livenessProbe).toBeUndefined();
    expect(copy.spec).toMatchObject({ restartPolicy: 'Never', activeDeadlineSeconds: 3600 });
    const listed = await request(backend.server).get('/api/kube-troubleshoot/entities/component/default/web/forks').set('Authorization', mockCredentials.user.header(ALICE));
    expect(listed.body.items.map((f: { name: string }) => f.name)).toContain(fork.name);
    const client = await Client.open(backend, res.body);
    opened.push(client);
    client.send({ type: 'resize', size: { cols: 100, rows: 30 } });
    await client.waitFor(() => !!client.ready);
    client.type(`sh -c 'echo "fatal: no config" >&2; exit 3'; echo rc=$?\r`);
    await client.waitFor(/^rc=3\r$/m);
    expect(client.screen).toMatch(/^fatal: no config\r$/m);
    client.ws.close();
    await client.waitFor(() => !podOf(fork.name), 10_000);
    await client.waitFor(() => backend.audit.some(a => a.eventId === 'fork-deleted' && a.meta.pod === fork.name && a.status === 'succeeded'));
  });

  it('deletes a copy on request, only the owner\'s', async () => {
    const res = await forks(backend, ALICE).send({ cluster: 'dev', pod: 'crash-1', container: 'job' });
    const name = res.body.fork.name;
    const del = (user: string) => request(backend.server).delete(`/api/kube-troubleshoot/entities/component/default/web/forks/${name}?cluster=dev`).set('Authorization', mockCredentials.user.header(user));
    expect((await del(ADMIN)).status).toBe(404); // someone else's copy
    expect((await del(ALICE)).status).toBe(204);
    await waitFor('the copy to go', () => !podOf(name));
  });

  it('a copy left by a backend that died is reaped after its TTL', async () => {
    const first = await backendWith({}, sandbox.tokens.admin, { forkTtlSeconds: 2, reaperIntervalSeconds: 1 });
    const res = await forks(first, ALICE).send({ cluster: 'dev', pod: 'crash-1', container: 'job' });
    const name = res.body.fork.name;
    await first.stop(); // no session was opened: nothing ends, nothing is deleted
    expect(podOf(name)).toBeDefined();
    const second = await backendWith({}, sandbox.tokens.admin, { forkTtlSeconds: 2, reaperIntervalSeconds: 1 }, true);
    try {
      const started = Date.now();
      while (podOf(name) && Date.now() - started < 15_000) await new Promise(r => setTimeout(r, 100));
      expect(podOf(name)).toBeUndefined();
      expect(Date.now() - started).toBeLessThan(15_000);
      while (!second.audit.some(a => a.eventId === 'fork-reaped') && Date.now() - started < 15_000) await new Promise(r => setTimeout(r, 50));
      expect(second.audit.find(a => a.eventId === 'fork-reaped')).toMatchObject({ meta: { name, user: ALICE } });
    } finally {
      await second.stop();
    }
  });
});

describe('file downloads', () => {
  const download = (user: string, query: Record<string, string>) =>
    request(backend.server)
      .get(`/api/kube-troubleshoot/entities/component/default/web/files?${new URLSearchParams(query)}`)
      .set('Authorization', mockCredentials.user.header(user))
      .buffer(true)
      .parse((res, done) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => done(null, Buffer.concat(chunks)));
      });
  const untar = (archive: Buffer, member: string) => execFileSync('tar', ['-xOf', '-', member], { input: archive }).toString('utf8');

  it('streams a file of a distroless container through a debug container, byte for byte', async () => {
    const res = await download(ALICE, { cluster: 'dev', pod: 'web-1', container: 'ledger', path: '/app/server.js' });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/x-tar');
    expect(res.headers['content-disposition']).toBe(`attachment; filename="server.js.tar"; filename*=UTF-8''server.js.tar`);
    const original = fs.readFileSync(require.resolve('@internal/sandbox-cluster/images/distroless/server.js'), 'utf8');
    expect(untar(res.body, 'server.js')).toBe(original);
    expect(backend.audit.find(a => a.eventId === 'file-download' && a.status === 'succeeded' && a.meta.path === '/app/server.js')).toMatchObject({ meta: { via: expect.stringMatching(/^debug container debugger-\w{5} at \/proc\/1\/root$/) } });
  });

  it('uses tar in a container that has it; names what is wrong otherwise', async () => {
    const res = await download(ALICE, { cluster: 'dev', pod: 'web-1', container: 'main', path: '/etc/hostname' });
    expect(res.status).toBe(200);
    expect(untar(res.body, 'hostname').length).toBeGreaterThan(0);
    // A missing path is a 404 before any byte: a JSON error, not an empty archive.
    const missing = await download(ALICE, { cluster: 'dev', pod: 'web-1', container: 'main', path: '/nope/file' });
    expect(missing.status).toBe(404);
    expect(missing.headers['content-type']).toMatch(/application\/json/);
    expect(JSON.parse(missing.body.toString()).error.message).toBe('/nope/file in container main of pod web-1 does not exist');
    const missingInDistroless = await download(ALICE, { cluster: 'dev', pod: 'web-1', container: 'ledger', path: '/app/nope.js' });
    expect(missingInDistroless.status).toBe(404);
    const outside = await download(ALICE, { cluster: 'dev', pod: 'web-1', container: 'main', path: '/app/../../etc/shadow' });
    expect(outside.status).toBe(400);
    expect(JSON.parse(outside.body.toString()).error.message).toBe('path /app/../../etc/shadow leaves the container\'s root: ".." is not allowed');
    expect((await download(BOB, { cluster: 'dev', pod: 'web-1', container: 'main', path: '/etc/hostname' })).status).toBe(403);
  });

  it('answers 413 before the first byte for a path past the limit, naming the limit', async () => {
    const small = await backendWith({}, sandbox.tokens.admin, { fileMaxBytes: 100_000 });
    try {
      const res = await request(small.server)
        .get(`/api/kube-troubleshoot/entities/component/default/web/files?${new URLSearchParams({ cluster: 'dev', pod: 'web-1', container: 'main', path: '/usr/bin' })}`)
        .set('Authorization', mockCredentials.user.header(ALICE));
      expect(res.status).toBe(413);
      expect(res.body.error.message).toMatch(/^\/usr\/bin in container main of pod web-1 is about [\d.]+ MB: more than kubeTroubleshoot.debug.fileMaxBytes \(0.1 MB\)$/);
      expect(small.audit.find(a => a.eventId === 'file-download')).toMatchObject({ status: 'failed', meta: { status: 413 } });
    } finally {
      await small.stop();
    }
  });

  it('reads a user\'s downloads through one helper, and Start never attaches to it', async () => {
    const ephemeral = () => sandbox.cluster.store.get<Pod>('pods', 'shop', 'web-1')!.spec.ephemeralContainers ?? [];
    const before = ephemeral().length;
    for (let i = 0; i < 3; i++) expect((await download(ALICE, { cluster: 'dev', pod: 'web-1', container: 'ledger', path: '/app/server.js' })).status).toBe(200);
    expect(ephemeral().length).toBeLessThanOrEqual(before + 1);
    const helpers = ephemeral().filter(c => (c.command as string[] | undefined)?.[0] === 'sleep').map(c => c.name);
    expect(helpers.length).toBeGreaterThan(0);
    const started = await request(backend.server)
      .post('/api/kube-troubleshoot/entities/component/default/web/debug')
      .set('Authorization', mockCredentials.user.header(ALICE))
      .send({ cluster: 'dev', pod: 'web-1', targetContainer: 'ledger' });
    expect(started.status).toBe(201);
    expect(started.body.reused).toBe(false);
    expect(helpers).not.toContain(started.body.container);
    // A new debug container's prompt shows by itself: nothing is typed here.
    const client = await Client.open(backend, started.body);
    opened.push(client);
    client.send({ type: 'resize', size: { cols: 100, rows: 30 } });
    await client.waitFor(/[#$] $/);
  });
});
