import { Knex } from 'knex';
import { TicketStore } from './TicketStore';
import { migratedDb } from '../testUtils/migratedDb';

let db: Knex;

beforeEach(async () => {
  db = await migratedDb();
});
afterEach(() => db.destroy());

const ALICE = 'user:default/alice';
const target = { kind: 'terminal' as const, entityRef: 'component:default/web', cluster: 'c', namespace: 'ns', pod: 'p', container: 'main' };

describe('TicketStore', () => {
  it('redeems a ticket once, for its user and target, on the replica that redeems it, and stores only its hash', async () => {
    const tickets = new TicketStore(db);
    const { ticket } = await tickets.issue(ALICE, target, 30);
    expect(JSON.stringify(await db('kt_session_tickets').select())).not.toContain(ticket);
    // Another user's attempt neither opens it nor uses it up.
    expect(await tickets.redeem(ticket, 'user:default/bob', 'r1')).toEqual({ ok: false, reason: 'the ticket was issued to another user', otherUser: true });
    // Two replicas racing for the same ticket: exactly one wins, and the row names it.
    const [a, b] = await Promise.all([tickets.redeem(ticket, ALICE, 'r1'), tickets.redeem(ticket, ALICE, 'r2')]);
    expect([a.ok, b.ok].sort()).toEqual([false, true]);
    const won = a.ok ? a : b;
    expect(won).toEqual({ ok: true, id: expect.stringMatching(/^[0-9a-f]{64}$/), sessionId: expect.stringMatching(/^[0-9a-f-]{36}$/), userRef: ALICE, target });
    const [row] = await db('kt_session_tickets').select();
    expect(row.replica_id).toBe(a.ok ? 'r1' : 'r2');
    expect(row.session_id).toBe(won.ok && won.sessionId);
    expect(await tickets.redeem(ticket, ALICE, 'r1')).toEqual({ ok: false, reason: 'the ticket was already used' });
    expect(await tickets.redeem('short', ALICE, 'r1')).toEqual({ ok: false, reason: 'the ticket is malformed' });
  });

  it('withdraws an unused ticket, never a redeemed one', async () => {
    const tickets = new TicketStore(db);
    const unused = await tickets.issue(ALICE, target, 30);
    const used = await tickets.issue(ALICE, target, 30);
    expect((await tickets.redeem(used.ticket, ALICE, 'r1')).ok).toBe(true);
    await tickets.withdraw(unused.ticket);
    await tickets.withdraw(used.ticket);
    expect(await tickets.redeem(unused.ticket, ALICE, 'r1')).toEqual({ ok: false, reason: 'the ticket is unknown' });
    expect(await db('kt_session_tickets').count({ n: '*' })).toEqual([{ n: 1 }]);
  });

  it('refuses an expired ticket; purges unused old tickets and ended sessions, never open ones', async () => {
    let now = new Date('2026-01-01T00:00:00Z');
    const tickets = new TicketStore(db, () => now);
    const expired = await tickets.issue(ALICE, target, 5);
    const open = await tickets.issue(ALICE, target, 5);
    const ended = await tickets.issue(ALICE, target, 5);
    const openId = (await tickets.redeem(open.ticket, ALICE, 'r1')) as { id: string };
    const endedId = (await tickets.redeem(ended.ticket, ALICE, 'r1')) as { id: string };
    await db('kt_session_tickets').where({ id: endedId.id }).update({ ended_at: now });
    now = new Date('2026-01-01T00:00:06Z');
    expect(await tickets.redeem(expired.ticket, ALICE, 'r1')).toEqual({ ok: false, reason: 'the ticket expired' });
    now = new Date('2026-01-01T00:02:00Z');
    expect(await tickets.purge()).toBe(2);
    expect((await db('kt_session_tickets').select('id')).map((r: { id: string }) => r.id)).toEqual([openId.id]);
  });
});
