import { Config } from '@backstage/config';

/** One cluster the plugin talks to; keys follow the official plugin's `kubernetes.clusters`. */
export interface ClusterConfig {
  name: string;
  /** How to reach it: explicit url/credentials, a kubeconfig file, or the pod's in-cluster account. */
  source:
    | { type: 'url'; url: string; serviceAccountToken?: string; caData?: string; caFile?: string; skipTLSVerify: boolean }
    | { type: 'kubeconfig'; path: string; context?: string }
    | { type: 'inCluster' };
  /** Production clusters never get a root shell (terminal sessions, later). */
  production: boolean;
}

const KEY = 'kubeTroubleshoot.clusters';

/**
 * Reads and validates `kubeTroubleshoot.clusters`. Throws at start-up with a message naming the
 * offending key, so a bad config never becomes a confusing runtime error.
 */
export function readClusterConfig(config: Config): ClusterConfig[] {
  const entries = config.getOptionalConfigArray(KEY) ?? [];
  const seen = new Set<string>();
  return entries.map((c, i) => {
    const at = `${KEY}[${i}]`;
    const name = c.getOptionalString('name');
    if (!name) throw new Error(`${at}.name is required`);
    if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/i.test(name)) {
      throw new Error(`${at}.name "${name}" must be letters, digits, '-' and '.'`);
    }
    if (seen.has(name)) throw new Error(`${at}.name "${name}" is used by another cluster`);
    seen.add(name);
    const production = c.getOptionalBoolean('production') ?? false;
    const url = c.getOptionalString('url');
    const kubeconfig = c.getOptionalConfig('kubeconfig');
    const inCluster = c.getOptionalBoolean('inCluster') ?? false;
    const ways = [url ? 'url' : '', kubeconfig ? 'kubeconfig' : '', inCluster ? 'inCluster' : ''].filter(Boolean);
    if (ways.length !== 1) {
      throw new Error(`${at} needs exactly one of url, kubeconfig or inCluster (found ${ways.length ? ways.join(', ') : 'none'})`);
    }
    if (kubeconfig) {
      const p = kubeconfig.getOptionalString('path');
      if (!p) throw new Error(`${at}.kubeconfig.path is required`);
      return { name, production, source: { type: 'kubeconfig', path: p, context: kubeconfig.getOptionalString('context') } };
    }
    if (inCluster) return { name, production, source: { type: 'inCluster' } };
    try {
      const parsed = new URL(url!);
      if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new Error('not http(s)');
    } catch {
      throw new Error(`${at}.url "${url}" is not an http(s) URL`);
    }
    const authProvider = c.getOptionalString('authProvider') ?? 'serviceAccount';
    if (authProvider !== 'serviceAccount') {
      throw new Error(`${at}.authProvider "${authProvider}" is not supported; use serviceAccount (a token the backend holds)`);
    }
    const serviceAccountToken = c.getOptionalString('serviceAccountToken');
    if (!serviceAccountToken) throw new Error(`${at}.serviceAccountToken is required with authProvider serviceAccount`);
    const caData = c.getOptionalString('caData');
    const caFile = c.getOptionalString('caFile');
    if (caData && caFile) throw new Error(`${at} sets both caData and caFile; keep one`);
    return {
      name,
      production,
      source: { type: 'url', url: url!, serviceAccountToken, caData, caFile, skipTLSVerify: c.getOptionalBoolean('skipTLSVerify') ?? false },
    };
  });
}
