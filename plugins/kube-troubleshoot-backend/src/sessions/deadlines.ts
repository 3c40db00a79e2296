import type { RelayLimits } from './TerminalRelay';

/** What a session's deadlines depend on. */
export interface DeadlineState {
  /** When the session's limits started counting (its first upstream ran). */
  since: number;
  lastInputAt: number;
  /** The input time an idle warning was last sent for (a new keystroke earns a new warning). */
  idleWarnedFor: number;
  maxWarned: boolean;
}

export type DeadlineAction =
  | { act: 'end' | 'warn'; limit: 'idle' | 'max-duration' }
  | { act: 'wait'; ms: number }
  | { act: 'none' };

/**
 * The session's idle and maximum-duration limits as one decision: end it, warn about an end, or
 * wait this long for the next moment anything is due. One timer per session follows it, and a
 * keystroke only moves `lastInputAt`.
 */
export function nextDeadline(s: DeadlineState, limits: Pick<RelayLimits, 'idleTimeoutMs' | 'maxDurationMs' | 'warnBeforeMs'>, now: number): DeadlineAction {
  const { idleTimeoutMs, maxDurationMs, warnBeforeMs } = limits;
  const maxEnd = maxDurationMs > 0 ? s.since + maxDurationMs : Infinity;
  const idleEnd = idleTimeoutMs > 0 ? s.lastInputAt + idleTimeoutMs : Infinity;
  if (now >= maxEnd) return { act: 'end', limit: 'max-duration' };
  if (now >= idleEnd) return { act: 'end', limit: 'idle' };
  // A warning only when the limit is longer than the warning itself.
  const maxWarn = maxDurationMs > warnBeforeMs && !s.maxWarned ? maxEnd - warnBeforeMs : Infinity;
  const idleWarn = idleTimeoutMs > warnBeforeMs && s.idleWarnedFor !== s.lastInputAt ? idleEnd - warnBeforeMs : Infinity;
  if (now >= maxWarn) return { act: 'warn', limit: 'max-duration' };
  if (now >= idleWarn) return { act: 'warn', limit: 'idle' };
  const next = Math.min(maxEnd, idleEnd, maxWarn, idleWarn);
  return next === Infinity ? { act: 'none' } : { act: 'wait', ms: next - now };
}
