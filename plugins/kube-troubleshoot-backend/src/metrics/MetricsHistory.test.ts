import { ConfigReader } from '@backstage/config';
import { KubeApi } from '../clusters/KubeClient';
import { readMetricsConfig } from './metricsConfig';
import { MetricsHistory } from './MetricsHistory';
import { containerMetrics } from './EntityMetrics';

/** A cluster whose metrics API answers what `answer` says, counting calls per path. */
function fakeCluster(answer: (path: string) => unknown): KubeApi & { calls: string[] } {
  const calls: string[] = [];
  return {
    name: 'c1',
    calls,
    getJson: async (path: string) => {
      calls.push(path);
      const a = answer(path);
      if (a instanceof Error) throw a;
      return a;
    },
  } as unknown as KubeApi & { calls: string[] };
}

const podMetrics = (at: string, memory: string, cpu = '250m') => ({
  items: [{ metadata: { name: 'web-1', namespace: 'shop' }, timestamp: at, window: '15s', containers: [{ name: 'main', usage: { cpu, memory } }] }],
});

describe('MetricsHistory', () => {
  let now = Date.parse('2026-01-01T00:10:00Z');
  const clock = () => now;
  let history: MetricsHistory;
  afterEach(() => history?.stop());

  it('keeps one point per metrics timestamp, oldest first, and the peak memory', async () => {
    let answer = podMetrics('2026-01-01T00:09:45Z', '10Mi');
    const cluster = fakeCluster(() => answer);
    history = new MetricsHistory({ intervalMs: 60_000, windowMs: 5 * 60_000, now: clock });
    await history.touch(cluster, 'shop');
    await history.scrapeAll(); // metrics-server still answers the same sample
    answer = podMetrics('2026-01-01T00:10:00Z', '30Mi', '1');
    await history.scrapeAll();
    answer = podMetrics('2026-01-01T00:10:15Z', '20Mi');
    await history.scrapeAll();
    expect(cluster.calls[0]).toBe('/apis/metrics.k8s.io/v1beta1/namespaces/shop/pods');
    expect(history.history('c1', 'shop', 'web-1', 'main')).toEqual([
      { at: '2026-01-01T00:09:45Z', cpuCores: 0.25, memoryBytes: 10 * 2 ** 20 },
      { at: '2026-01-01T00:10:00Z', cpuCores: 1, memoryBytes: 30 * 2 ** 20 },
      { at: '2026-01-01T00:10:15Z', cpuCores: 0.25, memoryBytes: 20 * 2 ** 20 },
    ]);
    expect(history.memoryPeaks('c1', 'shop', 'web-1')).toEqual({ main: { bytes: 30 * 2 ** 20, at: '2026-01-01T00:10:00Z' } });
    expect(history.memoryPeaks('c1', 'shop', 'web-10')).toEqual({});
  });

  it('drops points older than the window, and stops scraping a namespace nobody read for a window', async () => {
    const cluster = fakeCluster(() => podMetrics(new Date(now).toISOString(), '5Mi'));
    history = new MetricsHistory({ intervalMs: 60_000, windowMs: 5 * 60_000, now: clock });
    await history.touch(cluster, 'shop');
    now += 6 * 60_000;
    await history.scrapeAll();
    expect(cluster.calls).toHaveLength(1); // not read for longer than the window: let go, not scraped
    expect(history.history('c1', 'shop', 'web-1', 'main')).toEqual([]);
    await history.touch(cluster, 'shop');
    expect(cluster.calls).toHaveLength(2); // watched again: scraped at once
  });

  it('says why a cluster has no metrics, until it has them again', async () => {
    let fail = true;
    const cluster = fakeCluster(() => (fail ? Object.assign(new Error('the server could not find the requested resource'), { statusCode: 404 }) : podMetrics('2026-01-01T00:10:00Z', '1Mi')));
    history = new MetricsHistory({ intervalMs: 60_000, windowMs: 5 * 60_000, now: clock });
    await history.touch(cluster, 'shop');
    expect(history.unavailableIn('c1')).toEqual({ cluster: 'c1', statusCode: 404, message: 'the server could not find the requested resource' });
    fail = false;
    await history.scrapeAll();
    expect(history.unavailableIn('c1')).toBeUndefined();
  });

  it('reads its config with defaults and refuses nonsense', () => {
    expect(readMetricsConfig(new ConfigReader({}))).toEqual({ intervalMs: 15_000, windowMs: 15 * 60_000 });
    expect(readMetricsConfig(new ConfigReader({ kubeTroubleshoot: { metrics: { intervalSeconds: 5, windowMinutes: 30 } } }))).toEqual({ intervalMs: 5000, windowMs: 30 * 60_000 });
    expect(() => readMetricsConfig(new ConfigReader({ kubeTroubleshoot: { metrics: { intervalSeconds: 0 } } }))).toThrow('kubeTroubleshoot.metrics.intervalSeconds must be between 1 and 3600, not 0');
  });
});

describe('a container\'s metrics', () => {
  const point = (memoryMi: number) => ({ at: '2026-01-01T00:00:00Z', cpuCores: 0.1, memoryBytes: memoryMi * 2 ** 20 });
  const c = { name: 'main', resources: { requests: { cpu: '50m', memory: '32Mi' }, limits: { memory: '64Mi' } } };

  it.each([
    [57, false],
    [58, true], // 90% of 64 MiB is 57.6 MiB
    [64, true],
  ])('at %d MiB of a 64 MiB limit is near it: %s', (mi, near) => {
    expect(containerMetrics(c, [point(10), point(mi)], mi).nearMemoryLimit).toBe(near);
  });

  it('reads requests and limits, and has no usage before a sample', () => {
    expect(containerMetrics(c, [])).toEqual({ name: 'main', requests: { cpuCores: 0.05, memoryBytes: 32 * 2 ** 20 }, limits: { memoryBytes: 64 * 2 ** 20 }, history: [], nearMemoryLimit: false });
    expect(containerMetrics({ name: 'x' }, [point(900)]).nearMemoryLimit).toBe(false); // no limit, never near it
  });
});
