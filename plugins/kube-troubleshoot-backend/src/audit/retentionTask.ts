import { LoggerService } from '@backstage/backend-plugin-api';
import { RecordingStore } from './RecordingStore';

/**
 * The retention task's body (one replica at a time): recordings past their retention, and expired
 * tickets. `retentionDays` 0 keeps recordings for ever.
 */
export async function applyRetention(deps: { recordings: RecordingStore; tickets: { purge(): Promise<number> }; logger: LoggerService }, retentionDays: number, now = new Date()) {
  const cutoff = new Date(now.getTime() - retentionDays * 86400_000);
  const removed = retentionDays > 0 ? await deps.recordings.deleteOlderThan(cutoff) : 0;
  const purged = await deps.tickets.purge();
  if (removed || purged) deps.logger.info(`retention: removed ${removed} recordings older than ${cutoff.toISOString()} and ${purged} expired tickets`);
  return { removed, purged };
}
