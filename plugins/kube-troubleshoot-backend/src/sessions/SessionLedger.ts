import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { Knex } from 'knex';
import { NewRecording } from '../audit/RecordingStore';
import { SessionTarget } from '../targets/sessionTarget';

/** How often a replica says it is alive, and how long after its last word it counts as gone. */
export const REPLICA_HEARTBEAT_MS = 5_000;
export const REPLICA_LEASE_MS = 15_000;

/** A recording whose replica died before it ended: closed by {@link SessionLedger.closeLost}. */
/** A running session as the ledger has it: whose, where, which replica holds it. */
export interface LedgerSession {
  sessionId: string;
  userRef: string;
  target: SessionTarget;
  startedAt: Date;
  shared: boolean;
  replicaId: string;
  /** Where that replica is reached; undefined when it is not alive. */
  replicaUrl?: string;
}

export type LostRecording = Pick<NewRecording, 'userRef' | 'entityRef' | 'cluster' | 'namespace' | 'pod' | 'container'> & { id: string; replicaId: string };

/**
 * Which sessions are open, on which replica, in the plugin database: the source of the session
 * limits, whichever replica issued a ticket or serves its session. A ticket's row becomes its
 * session's row when a replica redeems it (stamped with that replica) and is marked ended when the
 * session ends. Replicas heartbeat; the sessions of a replica silent for {@link REPLICA_LEASE_MS}
 * (it crashed, or was SIGKILLed) no longer count, and its unfinished recordings are closed as lost.
 */
export class SessionLedger {
  readonly replicaId = randomUUID();

  constructor(
    private readonly db: Knex,
    private readonly now: () => Date = () => new Date(),
    /** Where the other replicas reach this one, to forward a browser that comes back through them. */
    private readonly url?: string,
  ) {}

  private leaseCutoff() {
    return new Date(this.now().getTime() - REPLICA_LEASE_MS);
  }

  /** Registers this replica (at start) and renews its lease (every heartbeat). */
  async beat(): Promise<void> {
    const now = this.now();
    const updated = await this.db('kt_replicas').where({ id: this.replicaId }).update({ seen_at: now });
    if (!updated) await this.db('kt_replicas').insert({ id: this.replicaId, host: `${os.hostname()}:${process.pid}`.slice(0, 255), started_at: now, seen_at: now, url: this.url ?? null });
  }

  /** This replica stops: its sessions are over (ended by shutdown) and it is no longer counted. */
  async leave(): Promise<void> {
    await this.db('kt_session_tickets').where({ replica_id: this.replicaId }).whereNull('ended_at').update({ ended_at: this.now() });
    await this.db('kt_replicas').where({ id: this.replicaId }).delete();
  }

  /** The live replicas' ids. */
  private liveReplicas() {
    return this.db('kt_replicas').where('seen_at', '>', this.leaseCutoff()).select('id');
  }

  /**
   * A user's sessions as the limit counts them: tickets not redeemed yet (until they expire) and
   * sessions open on a live replica.
   */
  async openCount(userRef: string): Promise<number> {
    const now = this.now();
    const [row] = await this.db('kt_session_tickets')
      .where({ user_ref: userRef })
      .whereNull('ended_at')
      .where(q =>
        q
          .where(pending => pending.whereNull('redeemed_at').where('expires_at', '>', now))
          .orWhere(open => open.whereNotNull('redeemed_at').whereIn('replica_id', this.liveReplicas())),
      )
      .count({ n: '*' });
    return Number(row?.n ?? 0);
  }

  /** Open sessions per live replica (a live replica serving none is there with 0). */
  async replicaLoads(): Promise<Map<string, number>> {
    const loads = new Map<string, number>((await this.liveReplicas()).map((r: { id: string }) => [r.id, 0]));
    const rows = await this.db('kt_session_tickets')
      .whereNotNull('redeemed_at')
      .whereNull('ended_at')
      .whereIn('replica_id', [...loads.keys()])
      .groupBy('replica_id')
      .select('replica_id')
      .count({ n: '*' });
    for (const r of rows as Array<{ replica_id: string; n: number | string }>) loads.set(r.replica_id, Number(r.n));
    return loads;
  }

  private sessionRows() {
    return this.db('kt_session_tickets as t')
      .leftJoin('kt_replicas as r', 'r.id', 't.replica_id')
      .whereNotNull('t.session_id')
      .whereNull('t.ended_at')
      .select('t.session_id', 't.user_ref', 't.target', 't.redeemed_at', 't.shared_at', 't.replica_id', 'r.url', 'r.seen_at');
  }

  private toSession(r: { session_id: string; user_ref: string; target: string; redeemed_at: string | Date; shared_at: string | Date | null; replica_id: string; url: string | null; seen_at: string | Date | null }): LedgerSession {
    const alive = r.seen_at !== null && new Date(r.seen_at).getTime() > this.leaseCutoff().getTime();
    return {
      sessionId: r.session_id,
      userRef: r.user_ref,
      target: JSON.parse(r.target) as SessionTarget,
      startedAt: new Date(r.redeemed_at),
      shared: r.shared_at !== null,
      replicaId: r.replica_id,
      replicaUrl: alive ? r.url ?? undefined : undefined,
    };
  }

  /** A running session, wherever it runs; undefined once it ended. */
  async session(sessionId: string): Promise<LedgerSession | undefined> {
    const row = await this.sessionRows().where('t.session_id', sessionId).first();
    return row ? this.toSession(row) : undefined;
  }

  /** The running sessions on an entity, on live replicas, oldest first. */
  async sessionsOf(entityRef: string): Promise<LedgerSession[]> {
    const rows = await this.sessionRows().whereIn('t.replica_id', this.liveReplicas()).orderBy('t.redeemed_at');
    return rows.map(r => this.toSession(r)).filter(s => s.target.entityRef === entityRef);
  }

  /** The owner shares the session, or stops. */
  async share(sessionId: string, shared: boolean): Promise<void> {
    await this.db('kt_session_tickets').where({ session_id: sessionId }).update({ shared_at: shared ? this.now() : null });
  }

  /** The session of ticket `id` ended. */
  async ended(id: string): Promise<void> {
    await this.db('kt_session_tickets').where({ id }).whereNull('ended_at').update({ ended_at: this.now() });
  }

  /**
   * Marks ended this replica's rows it no longer serves (an end that could not be written, a
   * handshake that failed after the redeem); rows redeemed in the last minute may still be opening.
   */
  async reconcile(serving: string[]): Promise<number> {
    return this.db('kt_session_tickets')
      .where({ replica_id: this.replicaId })
      .whereNull('ended_at')
      .where('redeemed_at', '<', new Date(this.now().getTime() - 60_000))
      .whereNotIn('id', serving)
      .update({ ended_at: this.now() });
  }

  /**
   * Closes the sessions and recordings of replicas whose lease ran out: the recording ends at the
   * replica's last heartbeat with reason `lost`. Returns the recordings it closed (to audit them).
   */
  async closeLost(): Promise<LostRecording[]> {
    const cutoff = this.leaseCutoff();
    const dead = await this.db('kt_replicas').where('seen_at', '<=', cutoff).select('id', 'seen_at');
    const lost: LostRecording[] = [];
    for (const replica of dead as Array<{ id: string; seen_at: string | Date }>) {
      const seenAt = new Date(replica.seen_at);
      const rows = await this.db('kt_recordings').where({ replica_id: replica.id }).whereNull('ended_at').select('id', 'user_ref', 'entity_ref', 'cluster', 'namespace', 'pod', 'container');
      for (const r of rows) {
        // Conditional, so two replicas closing the same recording report it once.
        const closed = await this.db('kt_recordings').where({ id: r.id }).whereNull('ended_at').update({ ended_at: seenAt, end_reason: 'lost' });
        if (closed) lost.push({ id: r.id, userRef: r.user_ref, entityRef: r.entity_ref, cluster: r.cluster, namespace: r.namespace, pod: r.pod, container: r.container, replicaId: replica.id });
      }
      await this.db('kt_session_tickets').where({ replica_id: replica.id }).whereNull('ended_at').update({ ended_at: seenAt });
      // Kept a day, so its recordings can still be closed if this runs late; then forgotten.
      if (seenAt.getTime() < this.now().getTime() - 86400_000) await this.db('kt_replicas').where({ id: replica.id }).delete();
    }
    return lost;
  }
}
