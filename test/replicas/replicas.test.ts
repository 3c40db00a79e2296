import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import {
  ATTACH_PROTOCOL_PREFIX,
  CreateForkResponse,
  CreateSessionResponse,
  EntityPodsResponse,
  OFFSET_PROTOCOL_PREFIX,
  RecordingListResponse,
  RecordingResponse,
  TERMINAL_PROTOCOL,
} from '@kube-troubleshoot/backstage-plugin-common';
import { Pod, Sandbox, startSandbox } from '@internal/sandbox-cluster';
import knexFactory, { Knex } from 'knex';
import { Browser } from 'playwright-core';
import { BackendProcess, buildApp, chromiumPath, launchChromium, Portal, shown, signIn, signInToken, startBackend, tail, waitForCatalog } from '../support/portal';
import { findNginx, Nginx, startNginx } from '../support/nginx';
import { Postgres, startPostgres } from '../support/postgres';
import { TerminalClient } from '../support/terminalClient';
import { freePort, repoRoot, screenshotDir, waitFor, workloadsDir } from '../support/tools';

/**
 * The production topology: two replicas of the example portal's backend on one PostgreSQL server,
 * behind nginx with round robin and no stickiness. Every request of a user may land on either.
 */
jest.setTimeout(900_000);

const underCi = process.env.CI === 'true' || process.env.CI === '1';
const nginxMissing = !findNginx();
if (nginxMissing) {
  const message = 'nginx not found (npm test extracts Debian\'s nginx into .toolchain/nginx; or apt-get install nginx): the replica test needs a real proxy';
  if (underCi) throw new Error(`${message} (required under CI)`);
  process.stderr.write(`SKIP: ${message}\n`);
}
const describeIf = nginxMissing || !chromiumPath ? describe.skip : describe;

const API = '/api/kube-troubleshoot';
const ENTITY = `${API}/entities/component/default/payments-api`;
const FORK_TTL_SECONDS = 40;
const REAPER_SECONDS = 5;
const MAX_PER_USER = 5;

let tmp: string;
let sandbox: Sandbox;
let pg: Postgres;
let nginx: Nginx;
let browser: Browser | undefined;
/** The replicas by name; a restarted one replaces its entry. */
const replicas: Record<'a' | 'b', BackendProcess | undefined> = { a: undefined, b: undefined };
const ports = { a: 0, b: 0, proxy: 0 };
let proxyUrl: string;
let token: string;
let pod: string;
const clients: TerminalClient[] = [];
/** What the test measured, printed at the end (the README and the closing note quote it). */
const measured: Record<string, string> = {};
/** The plugin's own database (PostgreSQL: one database per plugin), where the scheduler keeps its tasks. */
let pluginDb: Knex | undefined;

function replicaConfig(port: number) {
  return {
    app: { baseUrl: proxyUrl },
    backend: {
      baseUrl: proxyUrl,
      listen: { port },
      cors: { origin: proxyUrl },
      database: { client: 'pg', connection: { host: pg.host, port: pg.port, user: pg.user, password: 'unused' } },
    },
    kubeTroubleshoot: {
      clusters: [{ name: 'sandbox', url: sandbox.url, caData: sandbox.caData, serviceAccountToken: sandbox.addRbacToken(path.join(repoRoot, 'examples', 'rbac.yaml')) }],
      sessions: { maxPerUser: MAX_PER_USER, heartbeatSeconds: 5 },
      debug: { forkTtlSeconds: FORK_TTL_SECONDS, reaperIntervalSeconds: REAPER_SECONDS },
    },
  };
}

const startReplica = (name: 'a' | 'b', waitReady = true) =>
  startBackend({ tmp, name: `replica-${name}-${Date.now()}`, port: ports[name], config: replicaConfig(ports[name]), waitReady }).then(r => (replicas[name] = r));

async function api<T>(base: string, method: string, route: string, body?: unknown, as = token): Promise<{ status: number; body: T }> {
  const res = await fetch(`${base}${route}`, {
    method,
    headers: { Authorization: `Bearer ${as}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: kept as text for the assertion message
  }
  return { status: res.status, body: parsed as T };
}

async function issue(base: string): Promise<CreateSessionResponse> {
  const res = await api<CreateSessionResponse>(base, 'POST', `${ENTITY}/sessions`, { cluster: 'sandbox', pod, container: 'api' });
  if (res.status !== 201) {
    const rows = process.env.KT_REPLICAS_KEEP === '1' ? JSON.stringify(await db()('kt_session_tickets').select('user_ref', 'expires_at', 'redeemed_at', 'replica_id', 'ended_at'), null, 1) : '';
    throw Object.assign(new Error(`POST sessions on ${base}: ${res.status} ${JSON.stringify(res.body)}${rows}`), { status: res.status, body: res.body });
  }
  return res.body;
}

async function open(base: string, session: CreateSessionResponse): Promise<TerminalClient> {
  const client = await TerminalClient.open(base, session, { token, origin: proxyUrl });
  clients.push(client);
  return client;
}

/** A replica's log from byte `from` on, without the dev logger's colours. */
const readLog = (file: string, from = 0) => stripVTControlCharacters(fs.readFileSync(file, 'utf8').slice(from));

/** The replica (a or b) whose log shows `text` first after `marks` (their log sizes before). */
function replicaThatLogged(text: string, marks: Record<string, number>): 'a' | 'b' | undefined {
  for (const name of ['a', 'b'] as const) {
    const r = replicas[name];
    if (r && readLog(r.log, marks[name] ?? 0).includes(text)) return name;
  }
  return undefined;
}
const logMarks = () => Object.fromEntries((['a', 'b'] as const).map(n => [n, replicas[n] ? fs.statSync(replicas[n]!.log).size : 0]));

/** Every replica log this test wrote, the dead replicas' included. */
function allLogs(): string {
  return fs
    .readdirSync(tmp)
    .filter(f => /^replica-.*\.log$/.test(f))
    .map(f => readLog(path.join(tmp, f)))
    .join('\n');
}

function diagnostics(): string {
  const logs = (['a', 'b'] as const).map(n => (replicas[n] ? `--- replica ${n}:\n${tail(replicas[n]!.log, 30)}` : '')).join('\n');
  return `${logs}\n--- nginx:\n${tail(nginx.errorLog, 10)}`;
}

async function fork(base: string, as = token): Promise<CreateForkResponse & { createdAt: number }> {
  const res = await api<CreateForkResponse>(base, 'POST', `${ENTITY}/forks`, { cluster: 'sandbox', pod, container: 'api' }, as);
  if (res.status !== 201) throw new Error(`POST forks on ${base}: ${res.status} ${JSON.stringify(res.body)}`);
  return { ...res.body, createdAt: Date.now() };
}

const podExists = (name: string) => sandbox.cluster.store.list<Pod>('pods', 'default').some(p => p.metadata.name === name);

/** The `fork-reaped` audit events of one copy, in every replica's log (the dead ones' too). */
const reapedEvents = (name: string) => allLogs().split('\n').filter(l => l.includes('fork-reaped') && l.includes(name) && /succeeded/.test(l));

/** When the fork reaper last finished a run, on any replica (the scheduler's row of the task). */
function db(): Knex {
  pluginDb ??= knexFactory({ client: 'pg', connection: { host: pg.host, port: pg.port, user: pg.user, database: 'backstage_plugin_kube-troubleshoot' } });
  return pluginDb;
}

async function reaperLastRun(): Promise<number> {
  const row = await db()('backstage_backend_tasks__tasks').where({ id: 'kube-troubleshoot-fork-reaper' }).first('last_run_ended_at');
  return row?.last_run_ended_at ? new Date(row.last_run_ended_at).getTime() : 0;
}

/** Waits for the reaper to delete `copy`; returns how long after its creation it went. */
async function reaped(copy: { fork: { name: string }; createdAt: number }): Promise<number> {
  const deadline = (FORK_TTL_SECONDS + 2 * REAPER_SECONDS) * 1000;
  await waitFor(`the copy ${copy.fork.name} to be reaped`, () => !podExists(copy.fork.name) || undefined, deadline + 30_000);
  return Date.now() - copy.createdAt;
}

describeIf('two replicas on PostgreSQL behind nginx', () => {
  let idleCopy: CreateForkResponse & { createdAt: number };

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kube-troubleshoot-replicas-'));
    [ports.a, ports.b] = [await freePort(), await freePort()];
    sandbox = await startSandbox({ workloads: [workloadsDir] });
    pg = await startPostgres('replicas');
    nginx = await startNginx('replicas', [ports.a, ports.b]);
    proxyUrl = nginx.url;
    await buildApp(tmp);
    // One first: Backstage's own plugins (catalog, auth) race on a fresh database when replicas start
    // in the same second, and the loser exits (a Deployment restarts it). Ours take turns (see below).
    await startReplica('a');
    await startReplica('b');
    await waitForCatalog(proxyUrl);
    token = await signInToken(proxyUrl, 'alice');
    pod = await waitFor('a running payments-api pod', () => {
      const p = sandbox.cluster.store.list<Pod>('pods', 'default').find(x => x.metadata.name.startsWith('payments-api') && x.status?.containerStatuses?.every(s => 'running' in s.state));
      return p?.metadata.name;
    }, 60_000);
    browser = await launchChromium();
    // A copy nobody opens a session on: both replicas run the reaper while it expires. A platform
    // admin's, so its unused ticket does not count against alice's sessions below.
    idleCopy = await fork(replicas.a!.url, await signInToken(proxyUrl, 'admin'));
  });

  afterEach(() => {
    for (const c of clients.splice(0)) c.close();
  });

  afterAll(async () => {
    process.stdout.write(`replica test measurements:\n${Object.entries(measured).map(([k, v]) => `  ${k}: ${v}`).join('\n')}\n`);
    for (const c of clients.splice(0)) c.close();
    await browser?.close().catch(() => undefined);
    await pluginDb?.destroy();
    await Promise.all(Object.values(replicas).map(r => r?.stop()));
    await nginx?.stop();
    await pg?.stop();
    await sandbox?.stop();
    // KT_REPLICAS_KEEP=1 keeps the replicas' logs and config for a look after a failure.
    if (tmp && process.env.KT_REPLICAS_KEEP !== '1') fs.rmSync(tmp, { recursive: true, force: true });
    else if (tmp) process.stderr.write(`replica logs kept in ${tmp}\n`);
  });

  it('signs a user in on one replica and serves them on the other (shared keys and catalog)', async () => {
    for (const r of [replicas.a!, replicas.b!]) {
      const res = await api<EntityPodsResponse>(r.url, 'GET', `${ENTITY}/pods`);
      expect(res.status).toBe(200);
      expect(res.body.pods.map(p => p.name)).toContain(pod);
    }
  });

  it('redeems a ticket issued by one replica on the other, both ways', async () => {
    for (const [from, to] of [['a', 'b'], ['b', 'a']] as const) {
      const client = await open(replicas[to]!.url, await issue(replicas[from]!.url));
      await client.echo(`from-${from}-to-${to}`);
      await client.exit(0);
      expect(client.ended).toMatchObject({ reason: 'exit', exitCode: 0 });
    }
  });

  it('runs 20 sessions in a row through the proxy, whichever replica each lands on', async () => {
    const marks = logMarks();
    const began = Date.now();
    const between: number[] = [];
    for (let i = 0; i < 20; i++) {
      const client = await open(proxyUrl, await issue(proxyUrl));
      await client.echo(`session-${i}`);
      await client.exit(0);
      // The tab's other requests come between sessions: without them, strict round robin would send
      // every ticket request to one replica and every WebSocket to the other.
      if (i % 3 === 0) between.push((await api(proxyUrl, 'GET', `${ENTITY}/pods`)).status);
    }
    expect(between).toEqual(Array(7).fill(200));
    measured['20 sessions (ticket, WebSocket, command, exit) through nginx'] = `${Date.now() - began} ms`;
    // Round robin without stickiness: both replicas issued tickets and served sessions.
    const count = (name: 'a' | 'b', event: string) => (readLog(replicas[name]!.log, marks[name]).match(new RegExp(`eventId="?${event}`, 'g')) ?? []).length;
    measured['of the 20: tickets issued by a / b, sessions served by a / b'] = `${count('a', 'terminal-ticket') / 2} / ${count('b', 'terminal-ticket') / 2}, ${count('a', 'terminal-session') / 2} / ${count('b', 'terminal-session') / 2}`;
    for (const name of ['a', 'b'] as const) {
      expect(count(name, 'terminal-ticket')).toBeGreaterThan(0);
      expect(count(name, 'terminal-session')).toBeGreaterThan(0);
    }
  });

  it('counts a user\'s open sessions wherever they were issued or opened', async () => {
    const open5: TerminalClient[] = [];
    for (let i = 0; i < MAX_PER_USER; i++) {
      const client = await open(proxyUrl, await issue(proxyUrl));
      await client.echo(`open-${i}`);
      open5.push(client);
    }
    // Whichever replica is asked: the sixth is refused, naming the limit.
    for (const r of [replicas.a!, replicas.b!]) {
      const refused = await issue(r.url).then(() => undefined, (e: { status: number; body: { error: { message: string } } }) => e);
      expect(refused?.status).toBe(429);
      expect(refused?.body.error.message).toMatch(/you already have 5 open terminal sessions/);
    }
    // One ends: one more may open, through either replica.
    await open5[0].exit(0);
    await waitFor('a ticket once a session ended', () => issue(proxyUrl).then(s => open(proxyUrl, s)), 10_000).then(c => c.echo('sixth'));
    for (const c of open5) c.close();
  });

  it('lists and replays on one replica the recording the other wrote', async () => {
    const client = await open(replicas.a!.url, await issue(replicas.a!.url));
    await client.echo('recorded-on-a');
    await client.exit(3);
    const id = client.ready!.recordingId!;
    const list = await waitFor('the recording listed on b', async () => {
      const res = await api<RecordingListResponse>(replicas.b!.url, 'GET', `${API}/recordings?limit=50`);
      return res.body.items?.find(r => r.id === id && r.endedAt) ? res.body : undefined;
    });
    expect(list.items.find(r => r.id === id)).toMatchObject({ user: 'user:default/alice', pod, container: 'api', endReason: 'exit', exitCode: 3 });
    const replay = await api<RecordingResponse>(replicas.b!.url, 'GET', `${API}/recordings/${id}?format=json`);
    expect(replay.status).toBe(200);
    expect(replay.body.cast).toContain('recorded-on-a');
    // Its command index, in PostgreSQL, searched from the other replica (any case, LIKE's wildcards literal).
    expect(replay.body.commands.map(c => [c.source, c.exitCode])).toEqual([['shell', 0], ['shell', 3]]);
    expect(replay.body.commands[0].command).toContain('recorded-on-a');
    const found = await api<RecordingListResponse>(replicas.b!.url, 'GET', `${API}/recordings?command=RECORDED-ON-A&production=false`);
    expect(found.body.items.map(r => [r.id, r.matches?.length])).toEqual([[id, 1]]);
    expect((await api<RecordingListResponse>(replicas.b!.url, 'GET', `${API}/recordings?command=recorded_on%25a`)).body.items).toEqual([]);
  });

  it('reattaches a dropped session through the other replica: the same shell, with what it missed', async () => {
    for (const [holder, other] of [['a', 'b'], ['b', 'a']] as const) {
      const marks = logMarks();
      const client = await open(replicas[holder]!.url, await issue(replicas[holder]!.url));
      await client.echo(`held-by-${holder}`);
      const { resumeToken, sessionId } = client.ready!;
      client.type(`export KT_HELD=on-${holder}\r`);
      await client.waitFor(() => client.screen.includes(`export KT_HELD=on-${holder}`));
      client.ws.terminate();
      const seen = client.output.reduce((n, b) => n + b.length, 0);
      const began = Date.now();
      const protocols = [TERMINAL_PROTOCOL, `${ATTACH_PROTOCOL_PREFIX}${resumeToken}`, `${OFFSET_PROTOCOL_PREFIX}${seen}`];
      const back = await TerminalClient.open(replicas[other]!.url, { path: `${API}/sessions/ws`, protocols }, { token, origin: proxyUrl, protocols });
      clients.push(back);
      await back.waitFor(() => !!back.ready);
      expect(back.ready).toMatchObject({ resumed: true, sessionId });
      back.type('echo "<$KT_HELD>"\r');
      await back.waitFor(new RegExp(`<on-${holder}>`));
      measured[`reattach through replica ${other} to the shell on ${holder}: WebSocket to first echo`] = `${Date.now() - began} ms`;
      // The holder served it (its audit event); the other only passed the upgrade on.
      expect(readLog(replicas[holder]!.log, marks[holder])).toMatch(/eventId="?session-resume/);
      expect(readLog(replicas[other]!.log, marks[other])).not.toMatch(/eventId="?session-resume/);
      await back.exit(0);
      expect(back.ended).toMatchObject({ reason: 'exit', exitCode: 0 });
    }
  });

  it('serves a terminal WebSocket as the very first request of a freshly started replica', async () => {
    await replicas.b!.stop('SIGTERM');
    const startedAt = Date.now();
    const fresh = await startReplica('b', false);
    // Ready without any request at all (not even the readiness probe): its log says when.
    await waitFor('the fresh replica to start', () => {
      if (fresh.proc.exitCode !== null) throw new Error(`the replica exited:\n${tail(fresh.log)}`);
      return /Plugin initialization complete/.test(readLog(fresh.log)) || undefined;
    }, 180_000);
    measured['fresh replica: start to plugins initialized'] = `${Date.now() - startedAt} ms`;
    const session = await issue(replicas.a!.url);
    const client = await open(fresh.url, session);
    await client.echo('first-contact');
    await client.exit(0);
    // It was the replica's first request from outside: before the session, only the replica's own
    // calls to itself (the keys that verify the user's token) are in its log.
    const lines = readLog(fresh.log).split('\n');
    const sessionLine = lines.findIndex(l => l.includes('eventId="terminal-session"'));
    expect(sessionLine).toBeGreaterThan(0);
    const before = lines.slice(0, sessionLine).filter(l => l.includes('incomingRequest') && !/url="[^"]*(jwks\.json|\/v1\/userinfo|permission\/authorize)"/.test(l));
    expect(before).toEqual([]);
  });

  it('reaps an expired copy on one replica at a time: one fork-reaped event', async () => {
    const took = await reaped(idleCopy);
    measured['idle copy reaped after its creation'] = `${took} ms (TTL ${FORK_TTL_SECONDS} s + 2 × ${REAPER_SECONDS} s = ${(FORK_TTL_SECONDS + 2 * REAPER_SECONDS) * 1000} ms)`;
    expect(took).toBeLessThanOrEqual((FORK_TTL_SECONDS + 2 * REAPER_SECONDS) * 1000);
    // Runs after the deletion, on either replica, find nothing more to do.
    const deletedBy = Date.now();
    await waitFor('two more reaper runs', async () => ((await reaperLastRun()) > deletedBy + 1.5 * REAPER_SECONDS * 1000 ? true : undefined), 6 * REAPER_SECONDS * 1000);
    expect(reapedEvents(idleCopy.fork.name)).toHaveLength(1);
  });

  it('ends the sessions of a SIGKILLed replica within 5 s, serves a new one at once, reaps its copy and closes its recording', async () => {
    const portal: Portal = { baseUrl: proxyUrl, tmp, backendLog: replicas.a!.log, browser: browser!, browserErrors: [] };
    const context = await browser!.newContext({ viewport: { width: 1440, height: 900 } });
    try {
      const page = await context.newPage();
      page.on('pageerror', e => portal.browserErrors.push(e.message));
      await signIn(portal, page, 'alice');
      const marks = logMarks();
      await page.goto(`${proxyUrl}/catalog/default/component/payments-api/terminal?pod=${pod}&container=api`);
      // The link asks before it opens a recorded shell.
      await shown(portal, page.getByRole('alert').filter({ hasText: 'Open a new shell there?' }), 'the question of the link', 60_000);
      await page.getByRole('alert').getByRole('button', { name: 'Open terminal' }).click();
      await shown(portal, page.getByText(/Connected · (bash|sh)\b/), 'the connected status', 60_000);
      const screen = () => page.locator('.xterm-rows').last().innerText().then(t => t.replace(/\u00a0/g, ' '));
      await page.locator('.xterm').first().click();
      await page.keyboard.type('echo $((6*7))');
      await page.keyboard.press('Enter');
      await waitFor('the shell to answer', async () => (/^42\s*$/m.test(await screen()) ? true : undefined));
      const victim = await waitFor('the replica serving the browser', () => replicaThatLogged('terminal-session', marks));
      const survivor = victim === 'a' ? 'b' : 'a';
      // The victim also serves a session on a pod copy, which only the reaper can delete once it is dead.
      const copy = await fork(replicas[victim]!.url);
      const onCopy = await open(replicas[victim]!.url, copy);
      await onCopy.echo('on-the-copy');

      const killedAt = Date.now();
      await replicas[victim]!.stop('SIGKILL');
      // The browser tries to reattach; the survivor cannot reach the victim and says the shell is gone.
      await shown(portal, page.getByRole('status').filter({ hasText: 'The connection to the portal backend was lost' }), `the lost connection (${diagnostics()})`, 5_000);
      measured['SIGKILL to the browser showing the lost connection'] = `${Date.now() - killedAt} ms`;
      fs.mkdirSync(screenshotDir, { recursive: true });
      await page.screenshot({ path: path.join(screenshotDir, 'terminal-replica-lost.png') });
      expect(Date.now() - killedAt).toBeLessThan(5_000);
      await onCopy.waitFor(() => !!onCopy.closed, 5_000);
      measured['SIGKILL to the copy session\'s socket closing'] = `${onCopy.closed!.at - killedAt} ms (code ${onCopy.closed!.code})`;
      expect(onCopy.closed!.at - killedAt).toBeLessThan(5_000);

      // A new session through the proxy at once: nginx skips the dead replica.
      const reconnectAt = Date.now();
      await page.getByRole('button', { name: 'Reconnect' }).click();
      await shown(portal, page.getByText(/Connected · (bash|sh)\b/), 'the new session', 10_000);
      await page.locator('.xterm').first().click();
      await page.keyboard.type('echo $((6*8))');
      await page.keyboard.press('Enter');
      await waitFor('the new shell to answer', async () => (/^48\s*$/m.test(await screen()) ? true : undefined), 10_000);
      measured['Reconnect to the new shell answering'] = `${Date.now() - reconnectAt} ms`;
      expect(Date.now() - reconnectAt).toBeLessThan(10_000);

      // The dead replica's recordings are closed as lost by the survivor, and audited.
      const lost = await waitFor('the dead replica\'s recordings closed as lost', async () => {
        const res = await api<RecordingListResponse>(replicas[survivor]!.url, 'GET', `${API}/recordings?limit=100`);
        const mine = res.body.items.filter(r => r.id === onCopy.ready!.recordingId || r.startedAt >= new Date(killedAt - 60_000).toISOString());
        return mine.filter(r => r.endReason === 'lost').length >= 2 ? mine : undefined;
      }, 60_000);
      measured['SIGKILL to its recordings closed as lost'] = `${Date.now() - killedAt} ms`;
      expect(lost.find(r => r.id === onCopy.ready!.recordingId)).toMatchObject({ endReason: 'lost' });
      expect(readLog(replicas[survivor]!.log)).toMatch(/eventId="session-lost"/);

      // Its copy: deleted by the survivor's reaper within the TTL plus two reaper intervals.
      const copyReaped = await reaped(copy);
      measured['the dead replica\'s copy reaped after its creation'] = `${copyReaped} ms`;
      expect(copyReaped).toBeLessThanOrEqual((FORK_TTL_SECONDS + 2 * REAPER_SECONDS) * 1000);
      expect(reapedEvents(copy.fork.name)).toHaveLength(1);
    } finally {
      await context.close();
    }
  });
});
