import { Heartbeat } from './Heartbeat';

describe('Heartbeat', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('beats every member on one timer, and holds no timer once nobody is in', () => {
    const heartbeat = new Heartbeat(1000);
    const a = { beat: jest.fn() };
    const b = { beat: jest.fn() };
    heartbeat.join(a);
    heartbeat.join(b);
    expect(jest.getTimerCount()).toBe(1);
    jest.advanceTimersByTime(2000);
    expect(a.beat).toHaveBeenCalledTimes(2);
    expect(b.beat).toHaveBeenCalledTimes(2);
    heartbeat.leave(a);
    jest.advanceTimersByTime(1000);
    expect(a.beat).toHaveBeenCalledTimes(2);
    expect(b.beat).toHaveBeenCalledTimes(3);
    heartbeat.leave(b);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('never beats with the heartbeat off (0)', () => {
    const heartbeat = new Heartbeat(0);
    heartbeat.join({ beat: jest.fn() });
    expect(jest.getTimerCount()).toBe(0);
  });
});
