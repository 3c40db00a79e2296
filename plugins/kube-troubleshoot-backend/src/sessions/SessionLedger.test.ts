import { Knex } from 'knex';
import { RecordingStore } from '../audit/RecordingStore';
import { migratedDb } from '../testUtils/migratedDb';
import { REPLICA_LEASE_MS, SessionLedger } from './SessionLedger';
import { TicketStore } from './TicketStore';

let db: Knex;
let now: Date;
const clock = () => now;

beforeEach(async () => {
  db = await migratedDb();
  now = new Date('2026-06-01T12:00:00Z');
});
afterEach(() => db.destroy());

const ALICE = 'user:default/alice';
const BOB = 'user:default/bob';
const target = { kind: 'terminal' as const, entityRef: 'component:default/web', cluster: 'c', namespace: 'ns', pod: 'p', container: 'main' };
const later = (ms: number) => (now = new Date(now.getTime() + ms));

async function twoReplicas() {
  const tickets = new TicketStore(db, clock);
  const a = new SessionLedger(db, clock);
  const b = new SessionLedger(db, clock);
  await a.beat();
  await b.beat();
  /** Issued by `issuer` (any replica: tickets are rows), redeemed by `server`. */
  const open = async (user: string, server: SessionLedger) => {
    const { ticket } = await tickets.issue(user, target, 30);
    const redeemed = await tickets.redeem(ticket, user, server.replicaId);
    if (!redeemed.ok) throw new Error(redeemed.reason);
    return redeemed.id;
  };
  return { tickets, a, b, open };
}

describe('SessionLedger', () => {
  it('counts a user\'s pending tickets and open sessions on any replica, and forgets ended ones', async () => {
    const { tickets, a, b, open } = await twoReplicas();
    const onA = await open(ALICE, a);
    await open(ALICE, b);
    await tickets.issue(ALICE, target, 30); // not redeemed yet
    await open(BOB, b);
    expect(await a.openCount(ALICE)).toBe(3);
    expect(await b.openCount(ALICE)).toBe(3);
    await a.ended(onA);
    expect(await b.openCount(ALICE)).toBe(2);
    // The pending ticket stops counting when it expires.
    later(31_000);
    await a.beat();
    await b.beat();
    expect(await a.openCount(ALICE)).toBe(1);
    expect(Object.fromEntries(await a.replicaLoads())).toEqual({ [a.replicaId]: 0, [b.replicaId]: 2 });
  });

  it('stops counting the sessions of a replica whose lease ran out, and closes its recordings as lost once', async () => {
    const { a, b, open } = await twoReplicas();
    const recordings = new RecordingStore(db);
    await open(ALICE, a);
    await open(ALICE, b);
    const recA = await recordings.create({ kind: 'terminal', userRef: ALICE, entityRef: 'component:default/web', cluster: 'c', namespace: 'ns', pod: 'p', container: 'main', command: 'sh', production: false, header: { version: 2, width: 80, height: 24, timestamp: now.getTime() / 1000 }, replicaId: a.replicaId });
    const lastWordOfA = now;
    // a is SIGKILLed: only b keeps beating.
    later(REPLICA_LEASE_MS - 1000);
    await b.beat();
    expect(await b.openCount(ALICE)).toBe(2);
    expect(await b.closeLost()).toEqual([]);
    later(2000);
    await b.beat();
    expect(await b.openCount(ALICE)).toBe(1);
    expect([...(await b.replicaLoads()).keys()]).toEqual([b.replicaId]);
    const lost = await b.closeLost();
    expect(lost).toEqual([expect.objectContaining({ id: recA, userRef: ALICE, pod: 'p', replicaId: a.replicaId })]);
    expect(await recordings.get(recA)).toMatchObject({ endReason: 'lost', endedAt: lastWordOfA.toISOString() });
    // Another replica running the task again finds nothing more to close.
    const c = new SessionLedger(db, clock);
    expect(await c.closeLost()).toEqual([]);
    // A day later the dead replica is forgotten.
    later(86400_000 + 1000);
    await c.closeLost();
    expect((await db('kt_replicas').select('id')).map((r: { id: string }) => r.id)).not.toContain(a.replicaId);
  });

  it('reconciles this replica\'s rows against the sessions it really serves, sparing ones still opening', async () => {
    const { a, open } = await twoReplicas();
    const served = await open(ALICE, a);
    const forgotten = await open(ALICE, a);
    expect(await a.reconcile([served])).toBe(0); // both redeemed just now: maybe still opening
    later(61_000);
    await a.beat();
    expect(await a.reconcile([served])).toBe(1);
    expect(await a.openCount(ALICE)).toBe(1);
    const [row] = await db('kt_session_tickets').where({ id: forgotten }).select('ended_at');
    expect(row.ended_at).not.toBeNull();
  });

  it('leaves: ends its open sessions and drops out of the loads', async () => {
    const { a, b, open } = await twoReplicas();
    await open(ALICE, a);
    await a.leave();
    expect(await b.openCount(ALICE)).toBe(0);
    expect([...(await b.replicaLoads()).keys()]).toEqual([b.replicaId]);
  });
});
