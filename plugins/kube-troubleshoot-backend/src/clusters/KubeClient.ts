import https from 'node:https';
import http from 'node:http';
import fs from 'node:fs';
import tls from 'node:tls';
import { IncomingMessage } from 'node:http';
import { KubeConfig } from '@kubernetes/client-node';
import WebSocket from 'ws';
import { ClusterConfig } from './readClusterConfig';
import { KubeApiError, translateKubeError, unreachable } from './KubeApiError';

export type Query = Record<string, string | number | boolean | undefined>;

/** Request options with a TLS context to connect with (tls.connect honours it; the https typings omit it). */
type TlsRequestOptions = https.RequestOptions & Pick<tls.ConnectionOptions, 'secureContext'>;

/** What ws hands on to http.request and tls.connect, beyond its own typings. */
type UpgradeOptions = WebSocket.ClientOptions & Pick<tls.ConnectionOptions, 'secureContext' | 'servername'> & Pick<http.RequestOptions, 'auth'>;

/** PEM as given, or decoded from base64 (the form kubeconfig files use). */
function pem(caData: string): string {
  return caData.includes('-----BEGIN') ? caData : Buffer.from(caData, 'base64').toString('utf8');
}

/** Builds the client-node KubeConfig for one configured cluster. */
export function kubeConfigFor(cluster: ClusterConfig): KubeConfig {
  const kc = new KubeConfig();
  const src = cluster.source;
  if (src.type === 'kubeconfig') {
    kc.loadFromFile(src.path);
    if (src.context) kc.setCurrentContext(src.context);
  } else if (src.type === 'inCluster') {
    kc.loadFromCluster();
  } else {
    const caData = src.caData ? Buffer.from(pem(src.caData)).toString('base64') : undefined;
    kc.loadFromClusterAndUser(
      {
        name: cluster.name,
        server: src.url,
        caData,
        caFile: src.caFile,
        skipTLSVerify: src.skipTLSVerify,
      },
      { name: `${cluster.name}-user`, token: src.serviceAccountToken },
    );
  }
  return kc;
}

/**
 * What the plugin does with one cluster. Services depend on this, not on the HTTP client, so
 * router tests can stand in a recording fake and prove what reaches a cluster.
 */
export interface KubeApi {
  /** The configured cluster name. */
  readonly name: string;
  /** Starts a GET and resolves once the status is known: 200 gives the open response. */
  stream(path: string, query?: Query, signal?: AbortSignal): Promise<IncomingMessage>;
  /** A write (POST, PATCH, DELETE) with a JSON body; resolves to the JSON answer. */
  send<T>(method: 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown, contentType?: string): Promise<T>;
  getJson<T>(path: string, query?: Query, signal?: AbortSignal): Promise<T>;
  /** Opens a streaming subresource (exec, attach) over WebSocket, offering the given subprotocols. */
  openWebSocket(path: string, query: URLSearchParams, protocols: string[]): Promise<WebSocket>;
}

/**
 * An exec's socket between its handshake and the session's own listeners: an error there also
 * closes it, which the session sees; unlistened, it would end the process.
 */
const ignoreUntilListened = () => undefined;

/**
 * The plugin's only door to one cluster: JSON reads and streaming GETs over the API server's
 * REST API, authenticated by client-node's KubeConfig (token, CA, exec plugins, in-cluster).
 * Errors come back as KubeApiError with Kubernetes' own text.
 */
export class KubeClient implements KubeApi {
  private readonly server: string;
  /** Behind a proxy, connections keep client-node's proxy agent. */
  private readonly viaProxy: boolean;
  /** TLS context and connection pool per set of credentials (a rotated client certificate gets new ones). */
  private readonly tlsPools = new Map<string, { context: tls.SecureContext; agent: https.Agent }>();

  constructor(readonly name: string, private readonly kc: KubeConfig) {
    const current = kc.getCurrentCluster();
    if (!current) throw new Error(`cluster "${name}": the kubeconfig has no current cluster`);
    this.server = current.server.replace(/\/+$/, '');
    this.viaProxy = !!current.proxyUrl;
  }

  static fromConfig(cluster: ClusterConfig): KubeClient {
    if (cluster.source.type === 'kubeconfig' && !fs.existsSync(cluster.source.path)) {
      throw new Error(`cluster "${cluster.name}": kubeconfig file ${cluster.source.path} does not exist`);
    }
    return new KubeClient(cluster.name, kubeConfigFor(cluster));
  }

  get url() {
    return this.server;
  }

  /**
   * The options of one request, with the cluster's credentials. client-node makes a new agent per
   * request, so a new TLS connection, handshake and context (its own CA store, ~100 KiB) each time:
   * here every request and exec of one set of credentials shares one context, and requests share a
   * kept-alive pool. A cluster behind a proxy keeps client-node's proxy agent.
   */
  private async requestOptions(base: https.RequestOptions): Promise<TlsRequestOptions> {
    const opts: https.RequestOptions = { ...base };
    await this.kc.applyToHTTPSOptions(opts);
    if (this.viaProxy) return opts;
    if (!this.server.startsWith('https:')) return { ...opts, agent: undefined };
    const { ca, cert, key, pfx, passphrase, agent: _perRequest, ...rest } = opts;
    const id = [ca, cert, key, pfx, passphrase].map(v => (v === undefined ? '' : String(v))).join('\0');
    let pool = this.tlsPools.get(id);
    if (!pool) {
      if (this.tlsPools.size >= 4) this.tlsPools.delete(this.tlsPools.keys().next().value!); // old credentials: their connections close by themselves
      // Idle sockets close after 4 s, before a server's usual 5 s keep-alive closes them under a request.
      pool = { context: tls.createSecureContext({ ca, cert, key, pfx, passphrase }), agent: new https.Agent({ keepAlive: true, timeout: 4000 }) };
      this.tlsPools.set(id, pool);
    }
    return { ...rest, secureContext: pool.context, agent: pool.agent };
  }

  /**
   * Starts a GET and resolves once the status is known: 200 gives the open response. A kept-alive
   * connection the server closed just as it was reused fails before any answer: a GET is safe to
   * send again, once, on a new one.
   */
  stream(path: string, query: Query = {}, signal?: AbortSignal): Promise<IncomingMessage> {
    return this.get(path, query, signal, false);
  }

  private async get(path: string, query: Query, signal: AbortSignal | undefined, retried: boolean): Promise<IncomingMessage> {
    const url = new URL(this.server + path);
    for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, String(v));
    const opts = await this.requestOptions({ method: 'GET', headers: { Accept: 'application/json' } });
    const transport = url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const req = transport.request(url, { ...opts, signal }, res => {
        if (res.statusCode === 200) {
          resolve(res);
          return;
        }
        let body = '';
        res.setEncoding('utf8');
        res.on('data', d => (body += d));
        res.on('end', () => reject(translateKubeError(this.name, res.statusCode ?? 0, body)));
        res.on('error', reject);
      });
      req.on('error', (e: Error & { code?: string }) => {
        if (e.name === 'AbortError') reject(e);
        else if (req.reusedSocket && e.code === 'ECONNRESET' && !retried) this.get(path, query, signal, true).then(resolve, reject);
        else reject(unreachable(this.name, this.server, e));
      });
      req.end();
    });
  }

  /** A write (POST, PATCH, DELETE) with a JSON body; resolves to the JSON answer. */
  async send<T>(method: 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown, contentType = 'application/json'): Promise<T> {
    const url = new URL(this.server + path);
    const text = body === undefined ? undefined : JSON.stringify(body);
    const opts = await this.requestOptions({ method, headers: { Accept: 'application/json', ...(text ? { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text) } : {}) } });
    const transport = url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const req = transport.request(url, opts, res => {
        let answer = '';
        res.setEncoding('utf8');
        res.on('data', d => (answer += d));
        res.on('end', () => {
          const code = res.statusCode ?? 0;
          if (code < 200 || code > 299) {
            reject(translateKubeError(this.name, code, answer));
            return;
          }
          try {
            resolve((answer ? JSON.parse(answer) : {}) as T);
          } catch {
            reject(new KubeApiError(`cluster "${this.name}" answered ${method} ${path} with something that is not JSON`, 502));
          }
        });
        res.on('error', reject);
      });
      req.on('error', (e: Error & { code?: string }) => reject(unreachable(this.name, this.server, e)));
      req.end(text);
    });
  }

  async getJson<T>(path: string, query: Query = {}, signal?: AbortSignal): Promise<T> {
    const res = await this.stream(path, query, signal);
    let body = '';
    res.setEncoding('utf8');
    for await (const chunk of res) body += chunk;
    try {
      return JSON.parse(body) as T;
    } catch {
      throw new KubeApiError(`cluster "${this.name}" answered ${path} with something that is not JSON`, 200);
    }
  }

  /**
   * Opens a streaming subresource (exec, attach) over WebSocket, offering the given subprotocols.
   * A refusal before the upgrade comes back as KubeApiError with the apiserver's Status text.
   */
  async openWebSocket(path: string, query: URLSearchParams, protocols: string[]): Promise<WebSocket> {
    const url = new URL(this.server + path);
    url.search = query.toString();
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    const opts = await this.requestOptions({ headers: {} });
    // An upgraded socket leaves any pool: only a proxy's agent is kept; the TLS context is shared.
    const wsOptions: UpgradeOptions = {
      ...(this.viaProxy ? { agent: opts.agent as http.Agent, ca: opts.ca, cert: opts.cert, key: opts.key } : { secureContext: opts.secureContext }),
      rejectUnauthorized: opts.rejectUnauthorized,
      servername: opts.servername,
      auth: opts.auth ?? undefined,
      headers: opts.headers as Record<string, string>,
      perMessageDeflate: false,
    };
    const ws = new WebSocket(url.href, protocols, wsOptions);
    let timedOut = false;
    // The handshake's own listeners and timer go once it is decided: an open exec (a replica holds
    // thousands) keeps none of them, nor what they hold.
    const opened = new Promise<WebSocket>((resolve, reject) => {
      const settled = () => {
        // Only these lines listened to the new socket so far.
        ws.removeAllListeners('open').removeAllListeners('unexpected-response').removeAllListeners('error').on('error', ignoreUntilListened);
      };
      ws.once('open', () => {
        settled();
        resolve(ws);
      });
      ws.once('unexpected-response', (_req, res) => {
        settled();
        let body = '';
        res.setEncoding('utf8');
        res.on('data', d => (body += d));
        res.on('end', () => reject(translateKubeError(this.name, res.statusCode ?? 0, body)));
      });
      ws.once('error', (e: Error & { code?: string }) => {
        settled();
        reject(unreachable(this.name, this.server, timedOut ? new Error('the WebSocket handshake timed out after 30 s') : e));
      });
    });
    // A stalled apiserver must not hold a session (or shutdown) for ever.
    const timer = setTimeout(() => {
      timedOut = true;
      ws.terminate();
    }, 30_000);
    return opened.finally(() => clearTimeout(timer));
  }
}
