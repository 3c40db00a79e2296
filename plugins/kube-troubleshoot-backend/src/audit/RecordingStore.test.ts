import path from 'node:path';
import knexFactory, { Knex } from 'knex';
import { RecordingStore } from './RecordingStore';
import { TicketStore } from '../sessions/TicketStore';

/** The stores on a real database (in-memory SQLite, the example portal's default) with the real migrations. */
let db: Knex;

beforeEach(async () => {
  db = knexFactory({ client: 'better-sqlite3', connection: ':memory:', useNullAsDefault: true });
  await db.migrate.latest({ directory: path.resolve(__dirname, '../../migrations') });
});
afterEach(() => db.destroy());

const header = (t: number) => ({ version: 2 as const, width: 80, height: 24, timestamp: t });
const rec = (user: string, entity: string, t: number) => ({
  kind: 'terminal' as const,
  userRef: user,
  entityRef: entity,
  cluster: 'c',
  namespace: 'ns',
  pod: 'p',
  container: 'main',
  command: 'bash or sh',
  production: false,
  header: header(t),
});

describe('RecordingStore', () => {
  it('stores chunks in order and returns the whole asciicast', async () => {
    const store = new RecordingStore(db);
    const id = await store.create(rec('user:default/alice', 'component:default/web', 1_700_000_000));
    await store.appendChunk(id, 1, ['[0.2,"o","b"]']);
    await store.appendChunk(id, 0, ['[0.1,"o","a"]', '[0.15,"i","x"]']);
    await store.finish(id, { reason: 'exit', exitCode: 0, bytesIn: 1, bytesOut: 2 });
    expect(await store.content(id)).toBe('{"version":2,"width":80,"height":24,"timestamp":1700000000}\n[0.1,"o","a"]\n[0.15,"i","x"]\n[0.2,"o","b"]\n');
    expect(await store.get(id)).toMatchObject({ user: 'user:default/alice', exitCode: 0, endReason: 'exit', bytesIn: 1, bytesOut: 2, startedAt: '2023-11-14T22:13:20.000Z' });
    expect(await store.get('nope')).toBeUndefined();
    expect(await store.content('nope')).toBeUndefined();
  });

  it('lists newest first, filtered by entity, user and time; retention deletes old ones with their chunks', async () => {
    const store = new RecordingStore(db);
    const old = await store.create(rec('user:default/alice', 'component:default/web', 1_600_000_000));
    await store.appendChunk(old, 0, ['[0,"o","x"]']);
    const mid = await store.create(rec('user:default/bob', 'component:default/web', 1_650_000_000));
    const recent = await store.create(rec('user:default/alice', 'component:default/api', 1_700_000_000));
    expect((await store.list({})).map(r => r.id)).toEqual([recent, mid, old]);
    expect((await store.list({ userRef: 'user:default/alice' })).map(r => r.id)).toEqual([recent, old]);
    expect((await store.list({ entityRef: 'component:default/web' })).map(r => r.id)).toEqual([mid, old]);
    expect((await store.list({ from: new Date(1_640_000_000_000), to: new Date(1_660_000_000_000) })).map(r => r.id)).toEqual([mid]);
    expect((await store.list({ limit: 1 })).map(r => r.id)).toEqual([recent]);
    expect(await store.deleteOlderThan(new Date(1_660_000_000_000))).toBe(2);
    expect((await store.list({})).map(r => r.id)).toEqual([recent]);
    expect(await db('kt_recording_chunks').count({ n: '*' })).toEqual([{ n: 0 }]);
  });
});

const ALICE = 'user:default/alice';

describe('TicketStore', () => {
  it('redeems a ticket once, for its user and target, and stores only its hash', async () => {
    const tickets = new TicketStore(db);
    const target = { kind: 'terminal' as const, entityRef: 'component:default/web', cluster: 'c', namespace: 'ns', pod: 'p', container: 'main' };
    const { ticket } = await tickets.issue('user:default/alice', target, 30);
    expect(JSON.stringify(await db('kt_session_tickets').select())).not.toContain(ticket);
    // Another user's attempt neither opens it nor uses it up.
    expect(await tickets.redeem(ticket, 'user:default/bob')).toEqual({ ok: false, reason: 'the ticket was issued to another user', otherUser: true });
    // Two replicas racing for the same ticket: exactly one wins.
    const [a, b] = await Promise.all([tickets.redeem(ticket, ALICE), tickets.redeem(ticket, ALICE)]);
    expect([a.ok, b.ok].sort()).toEqual([false, true]);
    expect(a.ok ? a : b).toEqual({ ok: true, userRef: 'user:default/alice', target });
    expect(await tickets.redeem(ticket, ALICE)).toEqual({ ok: false, reason: 'the ticket was already used' });
    expect(await tickets.redeem('short', ALICE)).toEqual({ ok: false, reason: 'the ticket is malformed' });
  });

  it('refuses an expired ticket and purges old ones', async () => {
    let now = new Date('2026-01-01T00:00:00Z');
    const tickets = new TicketStore(db, () => now);
    const target = { kind: 'terminal' as const, entityRef: 'e', cluster: 'c', namespace: 'n', pod: 'p', container: 'c' };
    const { ticket } = await tickets.issue('user:default/alice', target, 5);
    now = new Date('2026-01-01T00:00:06Z');
    expect(await tickets.redeem(ticket, ALICE)).toEqual({ ok: false, reason: 'the ticket expired' });
    now = new Date('2026-01-01T00:02:00Z');
    expect(await tickets.purge()).toBe(1);
  });
});
