import { parseQuantity } from '@kube-troubleshoot/backstage-plugin-common';
import { KubeApi } from '../clusters/KubeClient';
import { ListJson, ObjectMeta } from '../clusters/kubeTypes';

/** One sample of a container: CPU in cores, memory (working set) in bytes, at the metrics' timestamp. */
export interface UsagePoint {
  at: string;
  cpuCores: number;
  memoryBytes: number;
}

interface PodMetricsJson {
  metadata: ObjectMeta;
  timestamp: string;
  window?: string;
  containers: Array<{ name: string; usage: { cpu?: string; memory?: string } }>;
}

export interface MetricsHistoryOptions {
  /** How often a watched namespace is scraped (metrics-server's own resolution is 15 s). */
  intervalMs: number;
  /** How much history is kept, and how long a namespace stays watched after its last reader. */
  windowMs: number;
  now?: () => number;
}

/** Why a cluster's metrics are not there: no metrics API (404), or the backend may not read it. */
export interface MetricsUnavailable {
  cluster: string;
  statusCode?: number;
  message: string;
}

const key = (...parts: string[]) => parts.join('\u0000');

/**
 * The last minutes of CPU and memory of every container in the namespaces someone looks at, from
 * metrics.k8s.io (metrics-server keeps only the latest sample). A namespace is scraped while it
 * was read in the last window; samples older than the window are dropped. Each replica keeps its
 * own, so a replica that just started knows less: history is a help, never required.
 */
export class MetricsHistory {
  private readonly series = new Map<string, UsagePoint[]>();
  private readonly watched = new Map<string, { client: KubeApi; namespace: string; lastRead: number }>();
  private readonly unavailable = new Map<string, MetricsUnavailable>();
  private timer?: NodeJS.Timeout;
  private readonly now: () => number;

  constructor(private readonly opts: MetricsHistoryOptions) {
    this.now = opts.now ?? Date.now;
  }

  /** Marks a namespace as read now and scrapes it at once when it was not watched yet. */
  async touch(client: KubeApi, namespace: string, signal?: AbortSignal): Promise<void> {
    const k = key(client.name, namespace);
    const known = this.watched.get(k);
    this.watched.set(k, { client, namespace, lastRead: this.now() });
    if (!this.timer) {
      this.timer = setInterval(() => void this.scrapeAll(), this.opts.intervalMs);
      this.timer.unref();
    }
    if (!known) await this.scrape(client, namespace, signal);
  }

  /** One pass over every watched namespace; namespaces nobody read for a window are let go. */
  async scrapeAll(): Promise<void> {
    const cutoff = this.now() - this.opts.windowMs;
    for (const [k, w] of this.watched) {
      if (w.lastRead < cutoff) this.watched.delete(k);
    }
    await Promise.all([...this.watched.values()].map(w => this.scrape(w.client, w.namespace)));
    this.prune();
    if (!this.watched.size) this.stop();
  }

  private async scrape(client: KubeApi, namespace: string, signal?: AbortSignal) {
    try {
      const list = await client.getJson<ListJson<PodMetricsJson>>(`/apis/metrics.k8s.io/v1beta1/namespaces/${encodeURIComponent(namespace)}/pods`, {}, signal);
      this.unavailable.delete(client.name);
      for (const pm of list.items) {
        for (const c of pm.containers) {
          this.add(key(client.name, namespace, pm.metadata.name, c.name), {
            at: pm.timestamp,
            cpuCores: safeQuantity(c.usage.cpu),
            memoryBytes: safeQuantity(c.usage.memory),
          });
        }
      }
    } catch (e) {
      const err = e as { statusCode?: number; message?: string };
      this.unavailable.set(client.name, { cluster: client.name, statusCode: err.statusCode, message: err.message ?? String(e) });
    }
  }

  private add(k: string, point: UsagePoint) {
    const points = this.series.get(k) ?? [];
    // metrics-server answers the same sample until its next scrape.
    if (points.length && points[points.length - 1].at === point.at) return;
    points.push(point);
    this.series.set(k, points);
  }

  private prune() {
    const cutoff = this.now() - this.opts.windowMs;
    for (const [k, points] of this.series) {
      const kept = points.filter(p => Date.parse(p.at) >= cutoff);
      if (kept.length) this.series.set(k, kept);
      else this.series.delete(k);
    }
  }

  /** A container's samples in the window, oldest first. */
  history(cluster: string, namespace: string, pod: string, container: string): UsagePoint[] {
    const cutoff = this.now() - this.opts.windowMs;
    return (this.series.get(key(cluster, namespace, pod, container)) ?? []).filter(p => Date.parse(p.at) >= cutoff);
  }

  /** The most memory each container of a pod was seen using in the window. */
  memoryPeaks(cluster: string, namespace: string, pod: string): Record<string, { bytes: number; at: string }> {
    const prefix = key(cluster, namespace, pod, '');
    const out: Record<string, { bytes: number; at: string }> = {};
    for (const [k, points] of this.series) {
      if (!k.startsWith(prefix)) continue;
      const peak = points.reduce<UsagePoint | undefined>((best, p) => (!best || p.memoryBytes > best.memoryBytes ? p : best), undefined);
      if (peak) out[k.slice(prefix.length)] = { bytes: peak.memoryBytes, at: peak.at };
    }
    return out;
  }

  /** Why a cluster has no metrics, when its last scrape failed. */
  unavailableIn(cluster: string): MetricsUnavailable | undefined {
    return this.unavailable.get(cluster);
  }

  stop() {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}

function safeQuantity(q: string | undefined): number {
  if (q === undefined) return 0;
  try {
    return parseQuantity(q);
  } catch {
    return 0;
  }
}
