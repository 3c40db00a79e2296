import os from 'node:os';
import { Config } from '@backstage/config';

/** Where a replica listens, from `backend.listen` (an object, or a `host:port` string) and `backend.https`. */
function listenOf(config: Config): { host?: string; port: number; https: boolean } {
  const https = config.has('backend.https');
  const listen = config.getOptional('backend.listen');
  if (typeof listen === 'string') {
    const m = /^(.*?):?(\d+)?$/.exec(listen);
    return { host: m?.[1] || undefined, port: Number(m?.[2] ?? 7007), https };
  }
  return { host: config.getOptionalString('backend.listen.host') || undefined, port: config.getOptionalNumber('backend.listen.port') ?? 7007, https };
}

/** This machine's first outside IPv4 address (a pod's IP), else the loopback. */
function ownAddress(interfaces: ReturnType<typeof os.networkInterfaces>): string {
  for (const list of Object.values(interfaces)) {
    const v4 = list?.find(a => a.family === 'IPv4' && !a.internal);
    if (v4) return v4.address;
  }
  return '127.0.0.1';
}

/**
 * Where the other replicas reach this one: `kubeTroubleshoot.sessions.replicaUrl` when set (e.g.
 * `http://${POD_IP}:7007`), else the address it listens on (its own outside address when it
 * listens on all of them) and `backend.listen`'s port.
 */
export function replicaUrl(config: Config, interfaces = os.networkInterfaces()): string {
  const configured = config.getOptionalString('kubeTroubleshoot.sessions.replicaUrl');
  if (configured) {
    let url: URL;
    try {
      url = new URL(configured);
    } catch {
      throw new Error(`kubeTroubleshoot.sessions.replicaUrl "${configured}" is not a URL (e.g. http://10.0.0.12:7007)`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`kubeTroubleshoot.sessions.replicaUrl must be http: or https:, got ${url.protocol}`);
    return url.origin;
  }
  const { host, port, https } = listenOf(config);
  const everywhere = !host || host === '0.0.0.0' || host === '::' || host === '[::]';
  const address = everywhere ? ownAddress(interfaces) : host;
  return `${https ? 'https' : 'http'}://${address.includes(':') && !address.startsWith('[') ? `[${address}]` : address}:${port}`;
}
