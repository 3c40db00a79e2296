import fs from 'node:fs';
import path from 'node:path';
import { ApiServer } from './api/ApiServer';
import { BUILTIN_IDENTITIES, BuiltinIdentityName, PolicyRule, TokenRegistry } from './api/authz';
import { Cluster, ClusterOptions } from './Cluster';
import { readManifests } from './workloads/loadWorkloads';
import { createServingCert } from './api/pki';
import { readRbacIdentity } from './api/rbacFile';

export { Cluster } from './Cluster';
export type { ClusterOptions } from './Cluster';
export { BUILTIN_IDENTITIES } from './api/authz';
export type { PolicyRule } from './api/authz';
export { readRbacIdentity } from './api/rbacFile';
export { findSandboxProcesses } from './kubelet/processes';
export type { KubeObject } from './store/types';
export type { Pod } from './store/pod';

export interface SandboxOptions extends ClusterOptions {
  /** YAML files or folders of workloads to create at start. */
  workloads?: string[];
  port?: number;
  host?: string;
  /** Where to write a kubeconfig with one context per built-in identity (and per `rbac` entry). */
  kubeconfigPath?: string;
  /**
   * Identities with exactly the rules of an RBAC file (see readRbacIdentity), by name: each gets a
   * kubeconfig context `sandbox-<name>` with its token.
   */
  rbac?: Record<string, string>;
}

export interface Sandbox {
  url: string;
  /** PEM of the self-signed serving certificate; trust it as the cluster CA. */
  caData: string;
  cluster: Cluster;
  /** Bearer token per built-in identity (random per start). */
  tokens: Record<BuiltinIdentityName, string>;
  kubeconfigPath?: string;
  /** A new bearer token for a user with exactly these RBAC-like rules. */
  addToken(user: string, rules: PolicyRule[]): string;
  /** A new bearer token for the identity of an RBAC file (readRbacIdentity). */
  addRbacToken(file: string): string;
  /** Cuts every open client connection (follows, watches) while the API keeps serving. */
  dropConnections(): void;
  stop(): Promise<void>;
}

/** Starts the API server and the node, creates the workloads, and (optionally) writes a kubeconfig. */
export async function startSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  const manifests = readManifests(opts.workloads ?? []);
  const cluster = new Cluster(opts);
  const registry = new TokenRegistry();
  const tokens = Object.fromEntries(
    (Object.keys(BUILTIN_IDENTITIES) as BuiltinIdentityName[]).map(name => [name, registry.add(BUILTIN_IDENTITIES[name])]),
  ) as Record<BuiltinIdentityName, string>;
  const rbacTokens = Object.fromEntries(Object.entries(opts.rbac ?? {}).map(([name, file]) => [name, registry.add(readRbacIdentity(file))]));
  const tls = createServingCert();
  const server = new ApiServer(cluster, registry, tls);
  let url: string;
  try {
    url = await server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1');
    cluster.apply(manifests);
  } catch (e) {
    await server.close();
    await cluster.stop();
    throw e;
  }
  if (opts.kubeconfigPath) writeKubeconfig(opts.kubeconfigPath, url, tls.cert, { ...tokens, ...rbacTokens });
  let stopped: Promise<void> | undefined;
  return {
    url,
    caData: tls.cert,
    cluster,
    tokens,
    kubeconfigPath: opts.kubeconfigPath,
    dropConnections: () => server.dropConnections(),
    addToken: (user, rules) => registry.add({ user, rules }),
    addRbacToken: file => registry.add(readRbacIdentity(file)),
    stop: () => {
      stopped ??= (async () => {
        try {
          await server.close();
          await cluster.stop();
        } finally {
          if (opts.kubeconfigPath) fs.rmSync(opts.kubeconfigPath, { force: true });
        }
      })();
      return stopped;
    },
  };
}

/** Contexts `sandbox` (admin), `sandbox-readonly`, `sandbox-nologs` and `sandbox-<rbac name>`; JSON is valid YAML. */
export function writeKubeconfig(file: string, url: string, caPem: string, tokens: Record<string, string>) {
  const contextName = (n: string) => (n === 'admin' ? 'sandbox' : `sandbox-${n}`);
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    'current-context': 'sandbox',
    clusters: [{ name: 'sandbox', cluster: { server: url, 'certificate-authority-data': Buffer.from(caPem).toString('base64') } }],
    users: Object.entries(tokens).map(([n, token]) => ({ name: contextName(n), user: { token } })),
    contexts: Object.keys(tokens).map(n => ({
      name: contextName(n),
      context: { cluster: 'sandbox', user: contextName(n), namespace: 'default' },
    })),
  };
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
}
