import { createHash, randomBytes } from 'node:crypto';
import { Knex } from 'knex';
import { SessionRole } from '@kube-troubleshoot/backstage-plugin-common';

const hash = (token: string) => createHash('sha256').update(token).digest('hex');
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

export type AttachRedeemed = { ok: true; sessionId: string; role: SessionRole } | { ok: false; reason: string; otherUser?: boolean };

/**
 * Single-use tokens that attach a browser to a session that runs already, in the plugin database so
 * any replica takes them: the owner's resume token (a new one with every attach) and a watcher's.
 * Only a hash is stored; redeeming is one conditional update, bound to the token's user.
 */
export class AttachTokens {
  constructor(private readonly db: Knex, private readonly now: () => Date = () => new Date()) {}

  async issue(sessionId: string, userRef: string, role: SessionRole, ttlSeconds: number): Promise<{ token: string; expiresAt: Date }> {
    const token = randomBytes(32).toString('base64url');
    const expiresAt = new Date(this.now().getTime() + ttlSeconds * 1000);
    await this.db('kt_session_attach').insert({ id: hash(token), session_id: sessionId, user_ref: userRef, role, expires_at: expiresAt });
    return { token, expiresAt };
  }

  /** The session a token is for, without spending it (to find the replica that holds the session). */
  async sessionOf(token: string): Promise<string | undefined> {
    if (!TOKEN.test(token)) return undefined;
    const row = await this.db('kt_session_attach').where({ id: hash(token) }).whereNull('used_at').first('session_id');
    return row?.session_id;
  }

  async redeem(token: string, userRef: string): Promise<AttachRedeemed> {
    if (!TOKEN.test(token)) return { ok: false, reason: 'the attach token is malformed' };
    const id = hash(token);
    const row = await this.db('kt_session_attach').where({ id }).first();
    if (!row) return { ok: false, reason: 'the attach token is unknown' };
    if (row.user_ref !== userRef) return { ok: false, reason: 'the attach token was issued to another user', otherUser: true };
    if (row.used_at) return { ok: false, reason: 'the attach token was already used' };
    if (new Date(row.expires_at).getTime() <= this.now().getTime()) return { ok: false, reason: 'the attach token expired' };
    const updated = await this.db('kt_session_attach').where({ id }).whereNull('used_at').update({ used_at: this.now() });
    if (updated !== 1) return { ok: false, reason: 'the attach token was already used' };
    return { ok: true, sessionId: row.session_id, role: row.role as SessionRole };
  }

  /** The tokens of a session that ended can no longer attach anything. */
  async forget(sessionId: string): Promise<void> {
    await this.db('kt_session_attach').where({ session_id: sessionId }).delete();
  }

  /** Removes used tokens and tokens that expired. */
  async purge(): Promise<number> {
    return this.db('kt_session_attach')
      .where(q => q.whereNotNull('used_at').orWhere('expires_at', '<', this.now()))
      .delete();
  }
}
