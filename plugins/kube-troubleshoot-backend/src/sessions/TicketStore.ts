import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Knex } from 'knex';
import { SessionTarget } from '../targets/sessionTarget';

export type { SessionTarget };

export type Redeemed = { ok: true; id: string; sessionId: string; userRef: string; target: SessionTarget } | { ok: false; reason: string; otherUser?: boolean };

const hash = (ticket: string) => createHash('sha256').update(ticket).digest('hex');

/**
 * Single-use session tickets in the plugin database, so the replica that opens the WebSocket need
 * not be the one that issued the ticket. Only a hash is stored; redeeming is one conditional update.
 */
export class TicketStore {
  constructor(private readonly db: Knex, private readonly now: () => Date = () => new Date()) {}

  async issue(userRef: string, target: SessionTarget, ttlSeconds: number): Promise<{ ticket: string; expiresAt: Date }> {
    const ticket = randomBytes(32).toString('base64url');
    const expiresAt = new Date(this.now().getTime() + ttlSeconds * 1000);
    await this.db('kt_session_tickets').insert({ id: hash(ticket), user_ref: userRef, target: JSON.stringify(target), expires_at: expiresAt });
    return { ticket, expiresAt };
  }

  /** Takes back a ticket before anyone could use it (the limit was exceeded). */
  async withdraw(ticket: string): Promise<void> {
    await this.db('kt_session_tickets').where({ id: hash(ticket) }).whereNull('redeemed_at').delete();
  }

  /**
   * Redeems a ticket for `userRef` on replica `replicaId`, which serves the session from then on
   * (see SessionLedger): another user's ticket is refused and stays unused.
   */
  async redeem(ticket: string, userRef: string, replicaId: string): Promise<Redeemed> {
    if (!/^[A-Za-z0-9_-]{43}$/.test(ticket)) return { ok: false, reason: 'the ticket is malformed' };
    const id = hash(ticket);
    const row = await this.db('kt_session_tickets').where({ id }).first();
    if (!row) return { ok: false, reason: 'the ticket is unknown' };
    if (row.user_ref !== userRef) return { ok: false, reason: 'the ticket was issued to another user', otherUser: true };
    if (row.redeemed_at) return { ok: false, reason: 'the ticket was already used' };
    if (new Date(row.expires_at).getTime() <= this.now().getTime()) return { ok: false, reason: 'the ticket expired' };
    // The update succeeds for exactly one redeemer, even when two race on two replicas.
    const sessionId = randomUUID();
    const updated = await this.db('kt_session_tickets').where({ id }).whereNull('redeemed_at').update({ redeemed_at: this.now(), replica_id: replicaId, session_id: sessionId });
    if (updated !== 1) return { ok: false, reason: 'the ticket was already used' };
    return { ok: true, id, sessionId, userRef: row.user_ref, target: JSON.parse(row.target) as SessionTarget };
  }

  /** Removes tickets that expired more than a minute ago unused, and the rows of ended sessions. */
  async purge(): Promise<number> {
    return this.db('kt_session_tickets')
      .where('expires_at', '<', new Date(this.now().getTime() - 60_000))
      .where(q => q.whereNull('redeemed_at').orWhereNotNull('ended_at'))
      .delete();
  }
}
