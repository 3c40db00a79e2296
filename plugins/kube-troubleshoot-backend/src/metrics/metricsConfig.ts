import { Config } from '@backstage/config';

export interface MetricsConfig {
  intervalMs: number;
  windowMs: number;
}

/**
 * `kubeTroubleshoot.metrics`: how often the namespaces someone looks at are scraped from
 * metrics.k8s.io (default 15 s, metrics-server's resolution) and how many minutes are kept (15).
 */
export function readMetricsConfig(root: Config): MetricsConfig {
  const c = root.getOptionalConfig('kubeTroubleshoot.metrics');
  const intervalSeconds = c?.getOptionalNumber('intervalSeconds') ?? 15;
  const windowMinutes = c?.getOptionalNumber('windowMinutes') ?? 15;
  if (!(intervalSeconds >= 1 && intervalSeconds <= 3600)) throw new Error(`kubeTroubleshoot.metrics.intervalSeconds must be between 1 and 3600, not ${intervalSeconds}`);
  if (!(windowMinutes >= 1 && windowMinutes <= 1440)) throw new Error(`kubeTroubleshoot.metrics.windowMinutes must be between 1 and 1440, not ${windowMinutes}`);
  return { intervalMs: intervalSeconds * 1000, windowMs: windowMinutes * 60_000 };
}
