import { DeadlineState, nextDeadline } from './deadlines';

const limits = { idleTimeoutMs: 10_000, maxDurationMs: 60_000, warnBeforeMs: 2_000 };
const fresh = (over: Partial<DeadlineState> = {}): DeadlineState => ({ since: 0, lastInputAt: 0, idleWarnedFor: -1, maxWarned: false, ...over });

describe('nextDeadline', () => {
  it('waits for the idle warning first, then the idle end', () => {
    expect(nextDeadline(fresh(), limits, 0)).toEqual({ act: 'wait', ms: 8_000 });
    expect(nextDeadline(fresh(), limits, 8_000)).toEqual({ act: 'warn', limit: 'idle' });
    expect(nextDeadline(fresh({ idleWarnedFor: 0 }), limits, 8_000)).toEqual({ act: 'wait', ms: 2_000 });
    expect(nextDeadline(fresh({ idleWarnedFor: 0 }), limits, 10_000)).toEqual({ act: 'end', limit: 'idle' });
  });

  it('counts idleness from the last input, and warns again after new input', () => {
    const typed = fresh({ lastInputAt: 7_000, idleWarnedFor: 0 });
    expect(nextDeadline(typed, limits, 8_000)).toEqual({ act: 'wait', ms: 7_000 });
    expect(nextDeadline(typed, limits, 15_000)).toEqual({ act: 'warn', limit: 'idle' });
  });

  it('ends at the maximum duration whatever the input, after its warning', () => {
    const busy = (now: number) => fresh({ lastInputAt: now, idleWarnedFor: now });
    expect(nextDeadline(busy(57_000), limits, 58_000)).toEqual({ act: 'warn', limit: 'max-duration' });
    expect(nextDeadline({ ...busy(57_000), maxWarned: true }, limits, 58_000)).toEqual({ act: 'wait', ms: 2_000 });
    expect(nextDeadline({ ...busy(59_000), maxWarned: true }, limits, 60_000)).toEqual({ act: 'end', limit: 'max-duration' });
  });

  it('has no warning when the limit is not longer than the warning', () => {
    expect(nextDeadline(fresh(), { idleTimeoutMs: 1_000, maxDurationMs: 0, warnBeforeMs: 2_000 }, 0)).toEqual({ act: 'wait', ms: 1_000 });
  });

  it('has nothing to wait for with both limits off', () => {
    expect(nextDeadline(fresh(), { idleTimeoutMs: 0, maxDurationMs: 0, warnBeforeMs: 60_000 }, 5)).toEqual({ act: 'none' });
  });
});
