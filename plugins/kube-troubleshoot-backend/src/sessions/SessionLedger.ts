import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { Knex } from 'knex';
import { NewRecording } from '../audit/RecordingStore';

/** How often a replica says it is alive, and how long after its last word it counts as gone. */
export const REPLICA_HEARTBEAT_MS = 5_000;
export const REPLICA_LEASE_MS = 15_000;

/** A recording whose replica died before it ended: closed by {@link SessionLedger.closeLost}. */
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
  ) {}

  private leaseCutoff() {
    return new Date(this.now().getTime() - REPLICA_LEASE_MS);
  }

  /** Registers this replica (at start) and renews its lease (every heartbeat). */
  async beat(): Promise<void> {
    const now = this.now();
    const updated = await this.db('kt_replicas').where({ id: this.replicaId }).update({ seen_at: now });
    if (!updated) await this.db('kt_replicas').insert({ id: this.replicaId, host: `${os.hostname()}:${process.pid}`.slice(0, 255), started_at: now, seen_at: now });
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
