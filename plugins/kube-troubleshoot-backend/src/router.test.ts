import net, { AddressInfo } from 'node:net';
import { auditorServiceFactory } from '@backstage/backend-defaults/auditor';
import { mockCredentials, mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { bearerProtocol } from '@kube-troubleshoot/backstage-plugin-common';
import request from 'supertest';
import WebSocket from 'ws';
import { PodJson } from './clusters/kubeTypes';
import { kubeTroubleshootPlugin } from './plugin';
import { auditLines, capturingRootLogger, LogLine, SHOWN_BY_DEFAULT } from './testUtils/capturingLogger';
import { FakeApiServer } from './testUtils/fakeApiServer';
import { until } from './testUtils/until';

/**
 * The HTTP API's refusals, fast: the real plugin, the real auditor writing to a captured log, the
 * permission framework mocked per user, and a fake API server that records what reaches the
 * cluster. What needs real containers is in the sandbox-backed tests.
 */

const ORIGIN = 'http://localhost:3000';
const API = '/api/kube-troubleshoot';
const WEB = `${API}/entities/component/default/web`;

/** Who holds what on component:default/web. */
const GRANTS: Record<string, string[]> = {
  'user:default/alice': ['kube-troubleshoot.logs.read', 'kube-troubleshoot.events.read', 'kube-troubleshoot.terminal.create', 'kube-troubleshoot.debug.create'],
  'user:default/terry': ['kube-troubleshoot.terminal.create'],
  'user:default/dora': ['kube-troubleshoot.debug.create'],
  'user:default/eve': ['kube-troubleshoot.events.read'],
  'user:default/bob': [],
};
const ALICE = 'user:default/alice';

const web: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'web', namespace: 'default', annotations: { 'backstage.io/kubernetes-id': 'web', 'backstage.io/kubernetes-namespace': 'shop' } },
  spec: { type: 'service', lifecycle: 'production', owner: 'team-a' },
};

const running = { running: { startedAt: '2026-01-01T00:00:00Z' } };
const pod = (name: string, labels: Record<string, string>, extra: Partial<PodJson> = {}): PodJson => ({
  metadata: { name, namespace: 'shop', labels },
  spec: { containers: [{ name: 'main', image: 'toolbox' }, { name: 'side', image: 'toolbox' }] },
  status: {
    phase: 'Running',
    containerStatuses: [
      { name: 'main', ready: true, restartCount: 0, image: 'toolbox', state: running },
      { name: 'side', ready: false, restartCount: 0, image: 'toolbox', state: { waiting: { reason: 'ContainerCreating' } } },
    ],
  },
  ...extra,
});
const crashing = pod('crash-1', { 'backstage.io/kubernetes-id': 'web' }, {
  status: {
    phase: 'Running',
    containerStatuses: [
      { name: 'main', ready: false, restartCount: 4, image: 'toolbox', state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 1, reason: 'Error', message: 'LOG LINE: password=hunter2' } } },
      { name: 'side', ready: true, restartCount: 0, image: 'toolbox', state: running },
    ],
  },
});

const apiServer = new FakeApiServer();
let backend: Awaited<ReturnType<typeof startTestBackend>>;
let lines: LogLine[];

beforeAll(async () => {
  const url = await apiServer.start();
  const withDebugger = pod('web-1', { 'backstage.io/kubernetes-id': 'web' });
  withDebugger.spec.ephemeralContainers = [{ name: 'debugger-abcde', image: 'debug-tools', targetContainerName: 'main', env: [{ name: 'KUBE_TROUBLESHOOT_USER', value: 'user:default/dora' }] }];
  withDebugger.status!.ephemeralContainerStatuses = [{ name: 'debugger-abcde', ready: false, restartCount: 0, image: 'debug-tools', state: running }];
  // A copy of crash-1 made by dora: it matches a selector only by not having labels of the entity.
  const copy = pod('crash-1-debug-abcde', { 'kube-troubleshoot.io/fork-of': 'crash-1' });
  copy.metadata.annotations = { 'kube-troubleshoot.io/fork-user': 'user:default/dora', 'kube-troubleshoot.io/fork-entity': 'component:default/web', 'kube-troubleshoot.io/fork-expires': '2099-01-01T00:00:00Z' };
  apiServer.pods = [withDebugger, crashing, pod('stranger', { app: 'other' }), copy];
  const logger = capturingRootLogger();
  lines = logger.lines;
  backend = await startTestBackend({
    features: [
      kubeTroubleshootPlugin,
      logger.factory,
      auditorServiceFactory,
      catalogServiceMock.factory({ entities: [web] }),
      mockServices.rootConfig.factory({
        data: { permission: { enabled: true },
          app: { baseUrl: ORIGIN },
          kubeTroubleshoot: {
            clusters: [
              { name: 'dev', url, serviceAccountToken: 'plugin-token', skipTLSVerify: true },
              { name: 'prod', url, serviceAccountToken: 'plugin-token', skipTLSVerify: true, production: true },
            ],
          },
        },
      }),
      mockServices.permissions.mock({
        authorize: async (requests, options) => {
          const user = (options?.credentials.principal as { userEntityRef?: string }).userEntityRef ?? '';
          return requests.map(r => ({ result: GRANTS[user]?.includes(r.permission.name) ? AuthorizeResult.ALLOW : AuthorizeResult.DENY }));
        },
      }).factory,
    ],
  });
});

afterAll(async () => {
  await backend?.stop();
  await apiServer.stop();
});

const as = (user: string) => ({ Authorization: mockCredentials.user.header(user) });
const send = (method: 'get' | 'post' | 'delete', path: string, user = ALICE, body?: unknown) => {
  const req = request(backend.server)[method](path).set(as(user));
  if (body === undefined) return req;
  return typeof body === 'string' ? req.set('Content-Type', 'application/json').send(body) : req.send(body as object);
};

/** Runs a request and tells what reached the cluster meanwhile. */
async function watchCluster<T>(call: () => Promise<T>) {
  const before = apiServer.requests.length;
  const result = await call();
  return { result, reached: apiServer.requests.slice(before) };
}

const podRequests = (name: string) => ({
  'GET .../logs?pod=': ['get', `${WEB}/logs?cluster=dev&pod=${encodeURIComponent(name)}`, undefined],
  'POST .../sessions': ['post', `${WEB}/sessions`, { cluster: 'dev', pod: name, container: 'main' }],
  'POST .../debug': ['post', `${WEB}/debug`, { cluster: 'dev', pod: name, targetContainer: 'main' }],
  'POST .../forks': ['post', `${WEB}/forks`, { cluster: 'dev', pod: name, container: 'main' }],
  'GET .../files?pod=': ['get', `${WEB}/files?cluster=dev&pod=${encodeURIComponent(name)}&container=main&path=/etc/hostname`, undefined],
  'DELETE .../forks/:name': ['delete', `${WEB}/forks/${encodeURIComponent(name)}?cluster=dev`, undefined],
} as const);

describe('names are validated before anything reaches a cluster', () => {
  const badPods = ['web-1,metadata.name!=y', 'web-1,status.phase=Running', '=web-1', 'web-1\n', 'Web-1', '-web', 'a'.repeat(254)];
  const cases = badPods.flatMap(name => Object.entries(podRequests(name)).map(([route, [method, path, body]]) => [route, name, method, path, body] as const));

  it.each(cases)('%s refuses the pod name %j with a 400 naming the field', async (_route, _name, method, path, body) => {
    const { result: res, reached } = await watchCluster(() => send(method, path, ALICE, body));
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/(body field|query parameter|path segment) (pod|fork) must be a pod name/);
    expect(reached).toEqual([]);
  });

  it.each([
    ['a container name with a comma', 'post', `${WEB}/sessions`, { cluster: 'dev', pod: 'web-1', container: 'main,x' }, 'body field container must be a container name'],
    ['a target container of 64 characters', 'post', `${WEB}/debug`, { cluster: 'dev', pod: 'web-1', targetContainer: 'm'.repeat(64) }, 'body field targetContainer must be a container name of at most 63 characters'],
    ['an unknown cluster', 'post', `${WEB}/sessions`, { cluster: 'elsewhere', pod: 'web-1', container: 'main' }, 'body field cluster must be one of the configured clusters: dev, prod'],
    ['an unknown cluster in a query', 'get', `${WEB}/logs?cluster=elsewhere`, undefined, 'query parameter cluster must be one of the configured clusters: dev, prod'],
    ['a namespace that is a number', 'post', `${WEB}/sessions`, { cluster: 'dev', pod: 'web-1', container: 'main', namespace: 5 }, 'body field namespace must be a string, not a number'],
    ['a namespace with a slash', 'get', `${WEB}/logs?namespace=shop/x`, undefined, 'query parameter namespace must be a namespace name'],
    ['a container in the logs query', 'get', `${WEB}/logs?container=MAIN`, undefined, 'query parameter container must be a container name'],
    ['an entity name with a colon', 'get', `${API}/entities/component/default/we:b/pods`, undefined, 'path segment name must be a catalog name'],
  ] as const)('refuses %s', async (_what, method, path, body, message) => {
    const { result: res, reached } = await watchCluster(() => send(method, path, ALICE, body));
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain(message);
    expect(reached).toEqual([]);
  });
});

describe('bodies and queries are checked against their schema', () => {
  it.each([
    ['unknown body fields', 'post', `${WEB}/sessions`, { cluster: 'dev', pod: 'web-1', container: 'main', command: ['sh'], privileged: true, user: 'root' }, 'unknown body fields "command", "privileged", "user"; allowed: cluster, pod, container, namespace'],
    ['reuse that is not a boolean', 'post', `${WEB}/debug`, { cluster: 'dev', pod: 'web-1', targetContainer: 'main', reuse: 'no' }, 'body field reuse must be a boolean, not a string'],
    ['a profile that does not exist', 'post', `${WEB}/debug`, { cluster: 'dev', pod: 'web-1', targetContainer: 'main', profile: 'root' }, 'body field profile must be one of general, baseline, restricted, netadmin, sysadmin'],
    ['a missing field', 'post', `${WEB}/forks`, { cluster: 'dev', pod: 'web-1' }, 'body field container is required'],
    ['a body that is an array', 'post', `${WEB}/sessions`, '[1,2]', 'the body must be a JSON object, not an array'],
    ['a body that is not JSON', 'post', `${WEB}/sessions`, '{"cluster":', 'the body is not valid JSON'],
    ['tailLines past any log', 'get', `${WEB}/logs?tailLines=99999999999999999999999`, undefined, 'query parameter tailLines must be a whole number from 0 to 10000000'],
    ['a parameter given twice', 'get', `${WEB}/logs?pod=web-1&pod=crash-1`, undefined, 'query parameter pod must be given once, as text'],
    ['a parameter as an object', 'get', `${WEB}/logs?pod[a]=b`, undefined, 'query parameter pod must be given once, as text'],
    ['a query on a route that takes none', 'get', `${WEB}/pods?fieldSelector=x`, undefined, 'unknown query parameter "fieldSelector"; it takes none'],
    ['an unknown query parameter', 'get', `${WEB}/events?watch=true&resourceVersion=1`, undefined, 'unknown query parameter "resourceVersion"; allowed: watch'],
    ['a boolean that is not one', 'get', `${WEB}/events?watch=yes`, undefined, 'query parameter watch must be true or false'],
    ['a recording id that is not one', 'get', `${API}/recordings/..%2f..%2fetc`, undefined, 'path segment id must be a recording id (a UUID)'],
    ['a recordings limit out of range', 'get', `${API}/recordings?limit=100000`, undefined, 'query parameter limit must be a whole number from 1 to 500'],
  ] as const)('refuses %s with a 400 naming the field', async (_what, method, path, body, message) => {
    const { result: res, reached } = await watchCluster(() => send(method, path, ALICE, body));
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain(message);
    expect(res.body.response).toEqual({ statusCode: 400 });
    expect(reached).toEqual([]);
  });

  it('refuses a body past the size limit with a 413', async () => {
    const res = await send('post', `${WEB}/sessions`, ALICE, JSON.stringify({ cluster: 'dev', pod: 'web-1', container: 'main', x: 'y'.repeat(20_000) }));
    expect(res.status).toBe(413);
    expect(res.body.error.message).toContain('the body is larger than 16kb');
  });
});

describe('every failure is audited as failed, with its status, at a level the default log shows', () => {
  const lastAudit = (eventId: string) => auditLines(lines, eventId).at(-1)!;

  it.each([
    ['a ticket for a container that is not running', 'terminal-ticket', `${WEB}/sessions`, { cluster: 'dev', pod: 'web-1', container: 'side' }, 409, 'is not running (ContainerCreating)'],
    ['a debug start the cluster refuses', 'debug-container', `${WEB}/debug`, { cluster: 'dev', pod: 'web-1', targetContainer: 'main' }, 403, 'lacks RBAC permission "patch" on "pods/ephemeralcontainers"'],
    ['a pod copy the cluster refuses', 'fork-created', `${WEB}/forks`, { cluster: 'dev', pod: 'crash-1', container: 'main' }, 403, 'lacks RBAC permission "create" on "pods"'],
    ['a pod that is not the entity\'s', 'terminal-ticket', `${WEB}/sessions`, { cluster: 'dev', pod: 'stranger', container: 'main' }, 404, 'pod "stranger" is not one of component:default/web\'s pods'],
    ['a bad body', 'debug-container', `${WEB}/debug`, { cluster: 'dev', pod: 'web-1' }, 400, 'body field targetContainer is required'],
  ] as const)('%s', async (_what, eventId, path, body, status, message) => {
    const res = await send('post', path, ALICE, body);
    expect([res.status, res.body.error?.message]).toEqual([status, expect.stringContaining(message)]);
    expect(res.body.error.message).toContain(message);
    const line = lastAudit(eventId);
    expect(line.meta).toMatchObject({ status: 'failed', actor: expect.objectContaining({ actorId: ALICE }), meta: expect.objectContaining({ status }) });
    expect(line.meta.error).toContain(message);
    expect(SHOWN_BY_DEFAULT).toContain(line.level);
    expect(auditLines(lines, eventId).some(l => l.meta.status === 'succeeded')).toBe(false);
  });

  it('a refused read shows at the default level with the user as actor; a granted one stays at debug', async () => {
    expect((await send('get', `${WEB}/logs?pod=web-1&cluster=dev`, 'user:default/bob')).status).toBe(403);
    const refused = lastAudit('logs-read');
    expect(refused.meta).toMatchObject({ status: 'failed', severityLevel: 'medium', actor: expect.objectContaining({ actorId: 'user:default/bob' }), meta: expect.objectContaining({ status: 403 }) });
    expect(SHOWN_BY_DEFAULT).toContain(refused.level);
    expect((await send('get', `${WEB}/pods`)).status).toBe(200);
    const granted = auditLines(lines, 'pods-read').slice(-2);
    expect(granted.map(l => [l.meta.status, l.level])).toEqual([['initiated', 'debug'], ['succeeded', 'debug']]);
  });
});

describe('each tab reaches its data with its own permission', () => {
  it('gives a terminal in the pod\'s own containers only, never in a debug container', async () => {
    const res = await send('post', `${WEB}/sessions`, 'user:default/terry', { cluster: 'dev', pod: 'web-1', container: 'debugger-abcde' });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain('is not one of its regular containers');
  });

  it('gives a shell in a pod copy to its owner only', async () => {
    const other = await send('post', `${WEB}/sessions`, ALICE, { cluster: 'dev', pod: 'crash-1-debug-abcde', container: 'main' });
    expect(other.status).toBe(404);
    expect((await send('post', `${WEB}/sessions`, 'user:default/dora', { cluster: 'dev', pod: 'crash-1-debug-abcde', container: 'main' })).status).toBe(403); // dora lacks terminal.create
    const files = await send('get', `${WEB}/files?cluster=dev&pod=crash-1-debug-abcde&container=main&path=/etc/hostname`, ALICE);
    expect(files.status).toBe(404);
  });

  it('quotes a termination message (log text) only to holders of logs.read', async () => {
    const message = async (user: string) => {
      const res = await send('get', `${WEB}/pods`, user);
      const crash = res.body.pods.find((p: { cluster: string; name: string }) => p.cluster === 'dev' && p.name === 'crash-1');
      return crash.containers.find((c: { name: string }) => c.name === 'main').lastTermination;
    };
    expect(await message(ALICE)).toEqual({ exitCode: 1, reason: 'Error', message: 'LOG LINE: password=hunter2' });
    expect(await message('user:default/eve')).toEqual({ exitCode: 1, reason: 'Error' });
  });

  it.each([
    ['user:default/terry', 'the Terminal tab'],
    ['user:default/dora', 'the Debug tab'],
    ['user:default/eve', 'the Events tab'],
  ])('%s lists the pods for %s', async user => {
    const res = await send('get', `${WEB}/pods`, user);
    expect(res.status).toBe(200);
    expect(res.body.pods.map((p: { cluster: string; name: string }) => `${p.cluster}/${p.name}`)).toEqual(['dev/crash-1', 'dev/web-1', 'prod/crash-1', 'prod/web-1']);
  });

  it('refuses the pods to a user with no tab, naming the permissions', async () => {
    const res = await send('get', `${WEB}/pods`, 'user:default/bob');
    expect(res.status).toBe(403);
    expect(res.body.error.message).toBe(
      'you do not have any of kube-troubleshoot.logs.read, kube-troubleshoot.events.read, kube-troubleshoot.terminal.create, kube-troubleshoot.debug.create on component:default/web; it is owned by team-a',
    );
  });

  it.each([
    ['user:default/terry', 'get', `${WEB}/logs?cluster=dev&pod=web-1`, undefined, 'kube-troubleshoot.logs.read'],
    ['user:default/terry', 'get', `${WEB}/diagnosis`, undefined, 'kube-troubleshoot.events.read'],
    ['user:default/eve', 'post', `${WEB}/sessions`, { cluster: 'dev', pod: 'web-1', container: 'main' }, 'kube-troubleshoot.terminal.create'],
    ['user:default/terry', 'post', `${WEB}/debug`, { cluster: 'dev', pod: 'web-1', targetContainer: 'main' }, 'kube-troubleshoot.debug.create'],
    ['user:default/terry', 'get', `${WEB}/debug/options`, undefined, 'kube-troubleshoot.debug.create'],
  ] as const)('%s is told the permission a route needs (%s %s)', async (user, method, path, body, permission) => {
    const { result: res, reached } = await watchCluster(() => send(method, path, user, body));
    expect(res.status).toBe(403);
    expect(res.body.error.message).toBe(`you do not have ${permission} on component:default/web; it is owned by team-a`);
    expect(reached).toEqual([]);
  });

  it('quotes a crashed container\'s log in the diagnosis only to holders of logs.read', async () => {
    const details = async (user: string) => {
      const res = await send('get', `${WEB}/diagnosis`, user);
      expect(res.status).toBe(200);
      return res.body.pods.find((p: { cluster: string; pod: string }) => p.cluster === 'dev' && p.pod === 'crash-1').details as string[];
    };
    expect(await details(ALICE)).toEqual(['last lines of the previous container:', 'previous run: fatal']);
    const { result: eveDetails, reached } = await watchCluster(() => details('user:default/eve'));
    expect(eveDetails).toEqual(['the last lines of the previous container are shown to holders of kube-troubleshoot.logs.read']);
    expect(reached.some(r => r.path.endsWith('/log'))).toBe(false);
  });
});

describe('session WebSockets', () => {
  const open = (protocols: string[], origin = ORIGIN) =>
    new Promise<{ status?: number; body: string; ws?: WebSocket }>(resolve => {
      const { port } = backend.server.address() as AddressInfo;
      const ws = new WebSocket(`ws://127.0.0.1:${port}${API}/sessions/ws`, protocols, { origin });
      ws.once('open', () => resolve({ body: '', ws }));
      ws.once('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', d => (body += d));
        res.on('end', () => resolve({ status: res.statusCode, body }));
      });
    });

  it('audits a refused upgrade with the user as actor and without the ticket', async () => {
    const ticket = await send('post', `${WEB}/sessions`, ALICE, { cluster: 'dev', pod: 'web-1', container: 'main' });
    expect(ticket.status).toBe(201);
    const res = await open([...ticket.body.protocols, bearerProtocol(mockCredentials.user.token('user:default/bob'))]);
    expect(res.status).toBe(403);
    const line = auditLines(lines, 'session-connect').at(-1)!;
    expect(line.meta).toMatchObject({ status: 'failed', actor: expect.objectContaining({ actorId: 'user:default/bob' }), meta: expect.objectContaining({ status: 403 }) });
    expect(SHOWN_BY_DEFAULT).toContain(line.level);
    expect(JSON.stringify(lines)).not.toContain(ticket.body.ticket);
  });

  /** A raw upgrade request, to send what no WebSocket client would. */
  const rawUpgrade = (head: string[]) =>
    new Promise<string>(resolve => {
      const { port } = backend.server.address() as AddressInfo;
      const socket = net.connect(port, '127.0.0.1', () => socket.write(`${head.join('\r\n')}\r\n\r\n`));
      let answer = '';
      socket.on('data', d => (answer += d));
      socket.on('close', () => resolve(answer));
      socket.on('error', () => resolve(answer));
    });

  it('refuses a malformed token subprotocol or a request that is no handshake, without spending the ticket', async () => {
    const ticket = await send('post', `${WEB}/sessions`, ALICE, { cluster: 'dev', pod: 'web-1', container: 'main' });
    const bad = await open([...ticket.body.protocols, 'bearer.A']);
    expect(bad.status).toBe(401);
    expect(bad.body).toContain('your Backstage token is required');
    const headers = (key: string) => [
      `GET ${API}/sessions/ws HTTP/1.1`, 'Host: 127.0.0.1', 'Connection: Upgrade', 'Upgrade: websocket', `Origin: ${ORIGIN}`, 'Sec-WebSocket-Version: 13',
      `Sec-WebSocket-Key: ${key}`, `Sec-WebSocket-Protocol: ${[...ticket.body.protocols, bearerProtocol(mockCredentials.user.token(ALICE))].join(', ')}`,
    ];
    const answer = await rawUpgrade(headers('not-a-key'));
    expect(answer).toMatch(/^HTTP\/1.1 400 Bad Request/);
    expect(answer).toContain('not a WebSocket handshake: Sec-WebSocket-Key must be 16 bytes in base64');
    const refused = auditLines(lines, 'session-connect').filter(l => l.meta.status === 'failed').slice(-2);
    // (Without a token the actor is unknown; the mock httpAuth would name its default user, so meta is checked.)
    expect(refused.map(l => [l.meta.status, (l.meta.meta as { status: number; actor: string }).status, (l.meta.meta as { actor: string }).actor])).toEqual([['failed', 401, 'unknown'], ['failed', 400, ALICE]]);
    expect((refused[1].meta.actor as { actorId?: string }).actorId).toBe(ALICE);
    // The ticket is still good.
    const good = await open([...ticket.body.protocols, bearerProtocol(mockCredentials.user.token(ALICE))]);
    expect(good.ws).toBeDefined();
    await new Promise(resolve => good.ws!.once('close', resolve));
  });

  it('names the user as the actor of the session itself, and says it failed when the cluster refused the shell', async () => {
    const ticket = await send('post', `${WEB}/sessions`, ALICE, { cluster: 'prod', pod: 'web-1', container: 'main' });
    expect(ticket.status).toBe(201);
    expect(auditLines(lines, 'terminal-ticket').at(-1)!.meta).toMatchObject({ status: 'succeeded', severityLevel: 'high', actor: expect.objectContaining({ actorId: ALICE }) });
    const res = await open([...ticket.body.protocols, bearerProtocol(mockCredentials.user.token(ALICE))]);
    expect(res.ws).toBeDefined();
    await new Promise(resolve => res.ws!.once('close', resolve));
    const onProd = () => auditLines(lines, 'terminal-session').filter(l => (l.meta.meta as { cluster?: string }).cluster === 'prod');
    await until('the session to end', () => onProd().some(l => l.meta.status === 'failed'), 5000);
    const session = onProd();
    expect(session.map(l => l.meta.status)).toEqual(['initiated', 'failed']);
    for (const l of session) expect(l.meta).toMatchObject({ severityLevel: 'high', actor: expect.objectContaining({ actorId: ALICE }), meta: expect.objectContaining({ actor: ALICE, pod: 'web-1' }) });
  });
});
