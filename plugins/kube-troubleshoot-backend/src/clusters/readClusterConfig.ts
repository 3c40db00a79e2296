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
const OFFICIAL_KEY = 'kubernetes.clusterLocatorMethods';
const PRODUCTION_KEY = 'kubeTroubleshoot.productionClusters';
const AUTH_PROVIDER_ANNOTATION = 'kubernetes.io/auth-provider';
/** What `kubectl proxy` listens on, as the official plugin's `localKubectlProxy` locator assumes. */
const KUBECTL_PROXY_URL = 'http://127.0.0.1:8001';

/**
 * The clusters the plugin talks to: `kubeTroubleshoot.clusters` when set, else the official
 * Kubernetes plugin's `kubernetes.clusterLocatorMethods` (its `config` and `localKubectlProxy`
 * locators), so an app that configures that plugin does not list its clusters twice.
 * `kubeTroubleshoot.productionClusters` marks clusters of either source as production.
 * Throws at start-up with a message naming the offending key, so a bad config never becomes a
 * confusing runtime error; `warn` hears of official entries the plugin cannot use.
 */
export function readClusterConfig(config: Config, warn: (message: string) => void = () => {}): ClusterConfig[] {
  const clusters = config.has(KEY) ? readOwnClusters(config) : readOfficialClusters(config, warn);
  const production = config.getOptionalStringArray(PRODUCTION_KEY) ?? [];
  for (const name of production) {
    if (!clusters.some(c => c.name === name)) {
      throw new Error(`${PRODUCTION_KEY} names "${name}", which is not a configured cluster (${clusters.map(c => c.name).join(', ') || 'none'})`);
    }
  }
  return clusters.map(c => (production.includes(c.name) ? { ...c, production: true } : c));
}

function checkName(name: string | undefined, at: string, seen: Set<string>): string {
  if (!name) throw new Error(`${at}.name is required`);
  if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/i.test(name)) {
    throw new Error(`${at}.name "${name}" must be letters, digits, '-' and '.'`);
  }
  if (seen.has(name)) throw new Error(`${at}.name "${name}" is used by another cluster`);
  seen.add(name);
  return name;
}

/** An entry's API server URL, token and CA, the same keys in both sources. */
function urlSource(c: Config, at: string, url: string, serviceAccountToken: string): ClusterConfig['source'] {
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new Error('not http(s)');
  } catch {
    throw new Error(`${at}.url "${url}" is not an http(s) URL`);
  }
  const caData = c.getOptionalString('caData');
  const caFile = c.getOptionalString('caFile');
  if (caData && caFile) throw new Error(`${at} sets both caData and caFile; keep one`);
  return { type: 'url', url, serviceAccountToken, caData, caFile, skipTLSVerify: c.getOptionalBoolean('skipTLSVerify') ?? false };
}

/**
 * The official plugin's clusters the backend can call with credentials of its own: `config`
 * entries with `authProvider: serviceAccount` and a token, and `localKubectlProxy`. Entries that use
 * the signed-in user's cloud credentials (google, aws, oidc, ...) or locators that discover
 * clusters at run time (catalog, gke) are skipped with a warning naming them.
 */
function readOfficialClusters(config: Config, warn: (message: string) => void): ClusterConfig[] {
  const seen = new Set<string>();
  const out: ClusterConfig[] = [];
  (config.getOptionalConfigArray(OFFICIAL_KEY) ?? []).forEach((method, i) => {
    const type = method.getOptionalString('type');
    if (type === 'localKubectlProxy') {
      const name = checkName('local', `${OFFICIAL_KEY}[${i}]`, seen);
      out.push({ name, production: false, source: { type: 'url', url: KUBECTL_PROXY_URL, skipTLSVerify: false } });
      return;
    }
    if (type !== 'config') {
      warn(`${OFFICIAL_KEY}[${i}] (type ${type ?? 'missing'}) is not read: list its clusters under ${KEY}`);
      return;
    }
    (method.getOptionalConfigArray('clusters') ?? []).forEach((c, j) => {
      const at = `${OFFICIAL_KEY}[${i}].clusters[${j}]`;
      const name = checkName(c.getOptionalString('name'), at, seen);
      // As the official locator reads them: the authMetadata block (keys with dots) over the flat keys.
      const meta = c.getOptional('authMetadata');
      const fromMeta = (key: string) => (meta && typeof meta === 'object' && !Array.isArray(meta) && typeof meta[key] === 'string' ? (meta[key] as string) : undefined);
      const authProvider = fromMeta(AUTH_PROVIDER_ANNOTATION) ?? c.getOptionalString('authProvider');
      const serviceAccountToken = fromMeta('serviceAccountToken') ?? c.getOptionalString('serviceAccountToken');
      if (authProvider !== 'serviceAccount' || !serviceAccountToken) {
        warn(
          `${at} ("${name}", authProvider ${authProvider ?? 'missing'}${authProvider === 'serviceAccount' ? ' without serviceAccountToken' : ''}) is not used: ` +
            `the plugin calls clusters with a token of its own (authProvider serviceAccount and serviceAccountToken), or list it under ${KEY}`,
        );
        return;
      }
      const url = c.getOptionalString('url');
      if (!url) throw new Error(`${at}.url is required`);
      out.push({ name, production: false, source: urlSource(c, at, url, serviceAccountToken) });
    });
  });
  return out;
}

function readOwnClusters(config: Config): ClusterConfig[] {
  const entries = config.getOptionalConfigArray(KEY) ?? [];
  const seen = new Set<string>();
  return entries.map((c, i) => {
    const at = `${KEY}[${i}]`;
    const name = checkName(c.getOptionalString('name'), at, seen);
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
    const authProvider = c.getOptionalString('authProvider') ?? 'serviceAccount';
    if (authProvider !== 'serviceAccount') {
      throw new Error(`${at}.authProvider "${authProvider}" is not supported; use serviceAccount (a token the backend holds)`);
    }
    const serviceAccountToken = c.getOptionalString('serviceAccountToken');
    if (!serviceAccountToken) throw new Error(`${at}.serviceAccountToken is required with authProvider serviceAccount`);
    return { name, production, source: urlSource(c, at, url!, serviceAccountToken) };
  });
}
