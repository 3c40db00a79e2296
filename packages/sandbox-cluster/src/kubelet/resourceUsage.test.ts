import { ResourceSampler, usageBetween } from './resourceUsage';
import { goDuration } from '../api/metrics';

describe('resource usage', () => {
  it('is a rate over the window between two samples, memory at its end', () => {
    expect(usageBetween(undefined, { atMs: 1000, cpuNs: 0, memoryBytes: 1 })).toBeUndefined();
    expect(usageBetween({ atMs: 1000, cpuNs: 5e8, memoryBytes: 1 }, { atMs: 1000, cpuNs: 6e8, memoryBytes: 2 })).toBeUndefined();
    // half a second of CPU over two seconds: a quarter core
    expect(usageBetween({ atMs: 1000, cpuNs: 1e9, memoryBytes: 10 }, { atMs: 3000, cpuNs: 1.5e9, memoryBytes: 20 })).toEqual({ cpuNanoCores: 250_000_000, memoryBytes: 20, timestampMs: 3000, windowMs: 2000 });
    // a counter never goes back; if it did, no negative rate
    expect(usageBetween({ atMs: 0, cpuNs: 9, memoryBytes: 0 }, { atMs: 1000, cpuNs: 1, memoryBytes: 0 })!.cpuNanoCores).toBe(0);
  });

  it.each([
    [15012, '15.012s'],
    [1000, '1s'],
    [60500, '1m0.5s'],
    [125000, '2m5s'],
  ])('a window of %d ms is %s, as metav1.Duration', (ms, d) => expect(goDuration(ms)).toBe(d));

  it('samples this machine: the node has a usage after two samples, a sandbox with no containers none', () => {
    const sampler = new ResourceSampler('no-such-sandbox');
    sampler.sample(1000);
    expect(sampler.nodeUsage()).toBeUndefined();
    sampler.sample(2000);
    expect(sampler.nodeUsage()).toMatchObject({ windowMs: 1000, timestampMs: 2000 });
    expect(sampler.nodeUsage()!.memoryBytes).toBeGreaterThan(0);
    expect(sampler.container('uid/c')).toBeUndefined();
  });
});
