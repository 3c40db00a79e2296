/** A session the heartbeat pings. */
export interface HeartbeatMember {
  beat(): void;
}

/**
 * One timer for every session's WebSocket pings on this replica (not two per session: thousands of
 * idle terminals would each hold their own). Members join when their session runs and leave at its
 * end; the timer runs only while someone is in.
 */
export class Heartbeat {
  private readonly members = new Set<HeartbeatMember>();
  private timer?: NodeJS.Timeout;

  constructor(readonly intervalMs: number) {}

  join(member: HeartbeatMember) {
    if (!this.intervalMs) return;
    this.members.add(member);
    this.timer ??= setInterval(() => {
      for (const m of this.members) m.beat();
    }, this.intervalMs);
  }

  leave(member: HeartbeatMember) {
    this.members.delete(member);
    if (!this.members.size && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }
}
