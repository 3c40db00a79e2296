import https from 'node:https';
import { IncomingMessage, ServerResponse } from 'node:http';
import { AddressInfo, Socket } from 'node:net';
import { Cluster } from '../Cluster';
import { StoreError } from '../store/ObjectStore';
import { KubeObject, StoreChange } from '../store/types';
import { Pod } from '../store/pod';
import { isAllowed, ResourceAttributes, TokenIdentity, TokenRegistry } from './authz';
import { findResource, groupList, ResourceDef, resourceList, SUPPORTED_GROUPS } from './resources';
import { parseFieldSelector, parseLabelSelector, matchesFields, matchesLabels } from './selectors';
import {
  alreadyExists,
  badRequest,
  expired,
  forbidden,
  internalError,
  methodNotAllowed,
  notFound,
  pathNotFound,
  StatusError,
  unauthorized,
} from './status';
import { IncludeObject, toTable, wantsTable } from './tables';
import { parseLogOptions, resolveLogContainer, streamPodLog } from './podLogs';
import { QueryParams } from './queryParams';
import { METRICS_GROUP, METRICS_VERSION, nodeMetrics, podMetrics } from './metrics';
import { WebSocketServer } from 'ws';
import { chooseProtocol, relayStreams, STREAM_PROTOCOLS } from './execStream';
import { applyPatch } from './patch';
import { checkPodRunnable } from './podValidation';
import { checkEphemeralContainersUpdate, mergeEphemeralContainers, withEphemeralContainerDefaults } from './ephemeralContainers';
import { KubeletError } from '../kubelet/Kubelet';
import { failedExec, StreamEndpoint } from '../kubelet/streams';
import { ServingCert } from './pki';
import { decodeSelfSubjectAccessReview, isProtobuf } from './protobuf';
import { decodePod } from './podProtobuf';

export const SERVER_VERSION = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.0-sandbox',
  gitCommit: 'kube-troubleshoot-sandbox',
  gitTreeState: 'clean',
  buildDate: '2026-01-01T00:00:00Z',
  goVersion: 'go1.23.0',
  compiler: 'gc',
  platform: 'linux/amd64',
};

/** A parsed resource request: `/api/v1/namespaces/default/pods/web-1/log`. */
interface ResourceRequest {
  def: ResourceDef;
  namespace?: string;
  name?: string;
  subresource?: string;
}

function sendJson(res: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

async function readRaw(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The JSON body; a protobuf one only where the caller can decode it (`decodeProtobuf`), else 415. */
async function readBody(req: IncomingMessage, decodeProtobuf?: (raw: Buffer) => unknown): Promise<unknown> {
  const raw = await readRaw(req);
  if (isProtobuf(raw) && decodeProtobuf) return decodeProtobuf(raw);
  if (isProtobuf(raw)) throw new StatusError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'the sandbox accepts JSON bodies for this resource', reason: 'UnsupportedMediaType', code: 415 });
  const text = raw.toString('utf8');
  if (!text) return {};
  try {
    return JSON.parse(text);
  } catch (e) {
    throw badRequest(`the request body is not valid JSON: ${(e as Error).message}`);
  }
}

/**
 * The Kubernetes REST API of the sandbox: discovery, pods, events, namespaces, nodes, deployments,
 * replicasets, pod logs and SelfSubjectAccessReview, with bearer-token authentication and RBAC-like rules.
 */
export class ApiServer {
  private readonly server: https.Server;
  private readonly sockets = new Set<Socket>();
  private readonly wss = new WebSocketServer({
    noServer: true,
    handleProtocols: (offered: Set<string>) => chooseProtocol(offered) ?? false,
  });

  constructor(private readonly cluster: Cluster, private readonly tokens: TokenRegistry, tls: ServingCert) {
    this.server = https.createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
      this.handle(req, res).catch(err => this.fail(res, err));
    });
    this.server.on('upgrade', (req, socket, head) => {
      this.upgrade(req, socket as Socket, head).catch(err => {
        const status = err instanceof StatusError ? err.status : internalError((err as Error)?.message ?? String(err)).status;
        const body = JSON.stringify(status);
        socket.end(
          `HTTP/1.1 ${status.code} ${status.reason ?? 'Error'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
        );
      });
    });
    this.server.on('connection', socket => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
  }

  listen(port = 0, host = '127.0.0.1'): Promise<string> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        const { port: p } = this.server.address() as AddressInfo;
        resolve(`https://${host}:${p}`);
      });
    });
  }

  /** Cuts every open connection but keeps serving, as a proxy timeout or apiserver restart would. */
  dropConnections() {
    for (const socket of this.sockets) socket.destroy();
  }

  /** Closes the listener and every open connection (watches and log follows included). */
  close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    return new Promise(resolve => this.server.close(() => resolve()));
  }

  private fail(res: ServerResponse, err: unknown) {
    if (res.headersSent) {
      res.destroy();
    } else if (err instanceof StatusError) {
      sendJson(res, err.code, err.status);
    } else {
      sendJson(res, 500, internalError((err as Error)?.message ?? String(err)).status);
    }
  }

  private async handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    if (['/healthz', '/readyz', '/livez'].includes(path)) {
      return void res.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok');
    }
    const identity = this.tokens.authenticate(req.headers.authorization);
    if (!identity) throw unauthorized();

    if (path === '/version') return sendJson(res, 200, SERVER_VERSION);
    if (path === '/api') {
      return sendJson(res, 200, {
        kind: 'APIVersions',
        versions: ['v1'],
        serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: req.headers.host ?? '' }],
      });
    }
    if (path === '/apis') return sendJson(res, 200, groupList());
    if (path === '/api/v1') return sendJson(res, 200, resourceList('', 'v1'));
    for (const g of SUPPORTED_GROUPS) {
      if (path === `/apis/${g.name}`) {
        const v = { groupVersion: `${g.name}/${g.version}`, version: g.version };
        return sendJson(res, 200, { kind: 'APIGroup', apiVersion: 'v1', name: g.name, versions: [v], preferredVersion: v });
      }
      if (path === `/apis/${g.name}/${g.version}`) return sendJson(res, 200, resourceList(g.name, g.version));
    }
    if (path === '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews') {
      if (req.method !== 'POST') throw methodNotAllowed();
      return this.selfSubjectAccessReview(req, res, identity);
    }

    const target = this.parseResourcePath(path);
    if (!target) throw pathNotFound();
    const params = url.searchParams;
    // ListOptions.watch, and RequestInfoFactory's verb, take any value but 0 and false as true.
    const watch = new QueryParams(params).bool('watch');
    const verb = this.verbOf(req.method ?? 'GET', target, watch);
    this.authorize(identity, {
      verb,
      group: target.def.group,
      resource: target.def.name,
      subresource: target.subresource,
      namespace: target.namespace,
      name: target.name,
    });
    if (target.namespace && !this.cluster.store.get('namespaces', undefined, target.namespace) && verb !== 'list' && verb !== 'watch') {
      throw notFound('namespaces', target.namespace);
    }

    if (target.subresource === 'log' && target.def.name === 'pods' && verb === 'get') {
      const pod = this.getObject<Pod>(target);
      return streamPodLog(this.cluster.kubelet, pod, parseLogOptions(pod.metadata.name, params), res);
    }
    if ((target.subresource === 'exec' || target.subresource === 'attach') && target.def.name === 'pods') {
      this.prepareStream(identity, target, params);
      // Only WebSocket is spoken: an SPDY client (kubectl 1.29 by default, or a fallback) is refused
      // after the same checks the apiserver makes, so it sees the same errors first.
      throw badRequest(`Upgrade request required: the sandbox cluster speaks ${target.subresource} over WebSocket (${STREAM_PROTOCOLS.join(', ')}) only`);
    }
    if (target.subresource === 'ephemeralcontainers' && target.def.name === 'pods') {
      return this.ephemeralContainers(req, res, target, verb);
    }
    if (target.subresource) throw pathNotFound();
    if (target.def.group === METRICS_GROUP) return this.metrics(res, target, verb, params);

    switch (verb) {
      case 'get': {
        const obj = this.getObject(target);
        if (wantsTable(req.headers.accept)) {
          return sendJson(res, 200, toTable(target.def.name, [obj], obj.metadata.resourceVersion ?? '', includeObject(params)));
        }
        return sendJson(res, 200, obj);
      }
      case 'list':
        return this.list(req, res, target, params);
      case 'watch':
        return this.watch(req, res, target, params);
      case 'create':
        return this.create(req, res, target);
      case 'delete':
        return this.remove(req, res, target, params);
      default:
        throw methodNotAllowed();
    }
  }

  /** Authorizes and validates an exec or attach request, with the apiserver's errors before any upgrade. */
  private prepareStream(identity: TokenIdentity, target: ResourceRequest, params: URLSearchParams) {
    const subresource = target.subresource as 'exec' | 'attach';
    // WebSocket exec/attach is a GET; like Kubernetes 1.35 the sandbox requires create as well as get.
    for (const verb of ['get', 'create']) {
      this.authorize(identity, { verb, group: '', resource: 'pods', subresource, namespace: target.namespace, name: target.name });
    }
    const pod = this.getObject<Pod>(target);
    if (!pod.spec.nodeName) throw badRequest(`pod ${pod.metadata.name} does not have a host assigned`);
    const phase = pod.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') {
      const verb = subresource === 'exec' ? 'exec into' : 'attach to';
      throw badRequest(`cannot ${verb} a container in a completed pod; current phase is ${phase}`);
    }
    // PodExecOptions / PodAttachOptions as the apiserver converts them: no stream is on by default.
    const q = new QueryParams(params);
    const container = resolveLogContainer(pod, q.string('container') || undefined);
    const command = q.strings('command');
    if (subresource === 'exec' && !command.length) throw badRequest('you must specify at least one command for the container');
    const tty = q.bool('tty');
    // The kubelet drops stderr under a tty (one stream).
    const io = { stdin: q.bool('stdin'), stdout: q.bool('stdout'), stderr: q.bool('stderr') && !tty, tty };
    if (!io.stdin && !io.stdout && !io.stderr) throw badRequest('you must specify at least 1 of stdin, stdout, stderr');
    return { pod, container, command, io, subresource };
  }

  private async upgrade(req: IncomingMessage, socket: Socket, head: Buffer) {
    const url = new URL(req.url ?? '/', 'https://sandbox');
    const identity = this.tokens.authenticate(req.headers.authorization);
    if (!identity) throw unauthorized();
    const target = this.parseResourcePath(url.pathname.replace(/\/+$/, ''));
    if (!target || target.def.name !== 'pods' || !['exec', 'attach'].includes(target.subresource ?? '') || !target.name) throw pathNotFound();
    const { pod, container, command, io, subresource } = this.prepareStream(identity, target, url.searchParams);
    const offered = new Set(String(req.headers['sec-websocket-protocol'] ?? '').split(',').map(p => p.trim()).filter(Boolean));
    const protocol = chooseProtocol(offered);
    if (!protocol) throw badRequest(`no supported stream protocol offered: use one of ${STREAM_PROTOCOLS.join(', ')}`);
    const kubelet = this.cluster.kubelet;
    const [namespace, name] = [pod.metadata.namespace!, pod.metadata.name];
    try {
      kubelet.assertRunning(namespace, name, container);
    } catch (e) {
      if (e instanceof KubeletError) throw badRequest(e.message);
      throw e;
    }
    if (subresource === 'attach') {
      // A container without a terminal gets none (kubectl says "Unable to use a TTY").
      const stdio = kubelet.containerStdio(namespace, name, container);
      io.tty = io.tty && stdio.tty;
      io.stdin = io.stdin && stdio.stdin;
    }
    // The process starts only once the WebSocket is open: a failed handshake leaves nothing running.
    this.wss.handleUpgrade(req, socket, head, ws => {
      let endpoint: StreamEndpoint;
      try {
        endpoint =
          subresource === 'exec' ? kubelet.exec(namespace, name, container, { argv: command, stdin: io.stdin, tty: io.tty }) : kubelet.attach(namespace, name, container);
      } catch (e) {
        endpoint = failedExec((e as Error).message, io.tty);
      }
      relayStreams(ws, endpoint, command, io);
    });
  }

  /** GET, PUT and PATCH of `pods/{name}/ephemeralcontainers`: body and answer are the Pod. */
  private async ephemeralContainers(req: IncomingMessage, res: ServerResponse, target: ResourceRequest, verb: string) {
    const current = this.getObject<Pod>(target);
    if (verb === 'get') return sendJson(res, 200, current);
    if (verb !== 'update' && verb !== 'patch') throw methodNotAllowed();
    const body = await readBody(req);
    const submitted = (verb === 'patch' ? applyPatch(current, String(req.headers['content-type'] ?? ''), body) : body) as Pod;
    if (verb === 'update' && (submitted as Partial<Pod>)?.metadata?.name !== current.metadata.name) {
      throw badRequest(`the name of the object (${String((submitted as Partial<Pod>)?.metadata?.name)}) does not match the name on the URL (${current.metadata.name})`);
    }
    if (!Array.isArray(submitted?.spec?.ephemeralContainers ?? [])) throw badRequest('spec.ephemeralContainers must be a list');
    const next = withEphemeralContainerDefaults(mergeEphemeralContainers(current, submitted));
    checkEphemeralContainersUpdate(current, next);
    checkPodRunnable(next);
    const stored = this.cluster.store.update<Pod>('pods', current.metadata.namespace, current.metadata.name, p => {
      p.spec.ephemeralContainers = next.spec.ephemeralContainers;
    });
    this.cluster.kubelet.syncEphemeralContainers(stored);
    return sendJson(res, 200, this.cluster.store.get<Pod>('pods', current.metadata.namespace, current.metadata.name) ?? stored);
  }

  private parseResourcePath(path: string): ResourceRequest | undefined {
    let group = '';
    let version = 'v1';
    let rest: string[];
    const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
    if (parts[0] === 'api' && parts[1] === 'v1') rest = parts.slice(2);
    else if (parts[0] === 'apis' && parts.length >= 3) {
      group = parts[1];
      version = parts[2];
      rest = parts.slice(3);
    } else return undefined;
    let namespace: string | undefined;
    // `/namespaces/{ns}/{resource}/...` is namespaced; `/namespaces[/{name}]` is the namespace itself.
    if (rest[0] === 'namespaces' && rest.length >= 3) {
      namespace = rest[1];
      rest = rest.slice(2);
    }
    const [resource, name, subresource, ...extra] = rest;
    if (!resource || extra.length) return undefined;
    const def = findResource(group, version, resource);
    if (!def) return undefined;
    if (namespace && !def.namespaced) return undefined;
    return { def, namespace, name, subresource };
  }

  private verbOf(method: string, target: ResourceRequest, watch: boolean): string {
    switch (method) {
      case 'GET':
        if (target.name) return 'get';
        return watch ? 'watch' : 'list';
      case 'POST':
        return 'create';
      case 'DELETE':
        return target.name ? 'delete' : 'deletecollection';
      case 'PATCH':
        return 'patch';
      case 'PUT':
        return 'update';
      default:
        throw methodNotAllowed();
    }
  }

  private authorize(identity: TokenIdentity, attrs: ResourceAttributes) {
    if (!isAllowed(identity, attrs)) throw forbidden({ user: identity.user, ...attrs });
  }

  private getObject<T extends KubeObject>(target: ResourceRequest): T {
    const obj = this.cluster.store.get<T>(target.def.name, target.namespace, target.name!);
    if (!obj) throw notFound(target.def.name, target.name!, target.def.group || undefined);
    return obj;
  }

  /** metrics.k8s.io: PodMetrics and NodeMetrics of the stored pods and node, computed now. */
  private metrics(res: ServerResponse, target: ResourceRequest, verb: string, params: URLSearchParams) {
    const toMetrics = (obj: KubeObject) => (target.def.kind === 'PodMetrics' ? podMetrics(this.cluster, obj as Pod) : nodeMetrics(this.cluster, obj));
    const resource = target.def.kind === 'PodMetrics' ? 'podmetrics' : 'nodemetrics';
    if (verb === 'get') {
      const obj = this.cluster.store.get(target.def.name, target.namespace, target.name!);
      const metrics = obj && toMetrics(obj);
      // metrics-server names the object namespace/name in its NotFound.
      if (!metrics) throw notFound(resource, target.namespace ? `${target.namespace}/${target.name}` : target.name!, METRICS_GROUP);
      return sendJson(res, 200, metrics);
    }
    if (verb !== 'list') throw methodNotAllowed();
    const matches = this.filter(target, params);
    const items = this.cluster.store
      .list(target.def.name, target.namespace)
      .filter(matches)
      .map(toMetrics)
      .filter((m): m is KubeObject => m !== undefined)
      .sort((a, b) => `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace}/${b.metadata.name}`));
    return sendJson(res, 200, { kind: `${target.def.kind}List`, apiVersion: `${METRICS_GROUP}/${METRICS_VERSION}`, metadata: {}, items });
  }

  /** The selection a list or watch request asks for. */
  private filter(target: ResourceRequest, params: URLSearchParams) {
    const labels = parseLabelSelector(params.get('labelSelector') ?? undefined);
    const fieldNames = Object.keys(target.def.fields({ apiVersion: 'v1', kind: target.def.kind, metadata: { name: '' } } as KubeObject));
    const fields = parseFieldSelector(params.get('fieldSelector') ?? undefined, fieldNames);
    return (obj: KubeObject) =>
      (!target.namespace || obj.metadata.namespace === target.namespace) &&
      matchesLabels(labels, obj.metadata.labels) &&
      matchesFields(fields, target.def.fields(obj));
  }

  private list(req: IncomingMessage, res: ServerResponse, target: ResourceRequest, params: URLSearchParams) {
    const matches = this.filter(target, params);
    const items = this.cluster.store.list(target.def.name, target.namespace).filter(matches);
    const rv = String(this.cluster.store.resourceVersion);
    if (wantsTable(req.headers.accept)) {
      return sendJson(res, 200, toTable(target.def.name, items, rv, includeObject(params)));
    }
    return sendJson(res, 200, {
      kind: `${target.def.kind}List`,
      apiVersion: target.def.group ? `${target.def.group}/${target.def.version}` : target.def.version,
      metadata: { resourceVersion: rv },
      items,
    });
  }

  /** A watch stream: newline-delimited `{"type","object"}` until timeoutSeconds or the client leaves. */
  private watch(req: IncomingMessage, res: ServerResponse, target: ResourceRequest, params: URLSearchParams) {
    // Unset or 0: the apiserver's default of its --min-request-timeout (1,800 s) and up.
    const timeout = new QueryParams(params).int64('timeoutSeconds') || 1800;
    const matches = this.filter(target, params);
    const table = wantsTable(req.headers.accept);
    const include = includeObject(params);
    const rvParam = params.get('resourceVersion');
    let first = true;
    const encode = (type: string, obj: KubeObject) => {
      const object = table ? toTable(target.def.name, [obj], obj.metadata.resourceVersion ?? '', include, first) : obj;
      first = false;
      return `${JSON.stringify({ type, object })}\n`;
    };
    res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
    res.flushHeaders();

    let since: number;
    if (!rvParam || rvParam === '0') {
      // "Get state and start at most recent": synthetic ADDED for what exists now.
      since = this.cluster.store.resourceVersion;
      for (const obj of this.cluster.store.list(target.def.name, target.namespace).filter(matches)) res.write(encode('ADDED', obj));
    } else {
      since = Number(rvParam);
      if (!Number.isInteger(since)) {
        const err = badRequest(`invalid resource version: ${rvParam}`);
        res.end(`${JSON.stringify({ type: 'ERROR', object: err.status })}\n`);
        return;
      }
    }
    let stop: () => void = () => undefined;
    try {
      stop = this.cluster.store.watch(target.def.name, since, (change: StoreChange) => {
        if (matches(change.object)) res.write(encode(change.type, change.object));
      });
    } catch (e) {
      if (e instanceof StoreError && e.reason === 'Expired') {
        res.end(`${JSON.stringify({ type: 'ERROR', object: expired(e.message).status })}\n`);
        return;
      }
      throw e;
    }
    const timer = setTimeout(() => res.end(), Math.max(1, timeout) * 1000);
    res.once('close', () => {
      clearTimeout(timer);
      stop();
    });
  }

  private async create(req: IncomingMessage, res: ServerResponse, target: ResourceRequest) {
    if (target.def.name !== 'pods' || target.name) throw methodNotAllowed();
    const body = (await readBody(req, decodePod)) as Pod;
    if (body?.kind !== 'Pod' || !body.metadata?.name || !Array.isArray(body.spec?.containers) || !body.spec.containers.length) {
      throw badRequest('the body must be a Pod with metadata.name and at least one container');
    }
    if (body.metadata.namespace && body.metadata.namespace !== target.namespace) {
      throw badRequest(`the namespace of the provided object does not match the namespace sent on the request`);
    }
    body.metadata.namespace = target.namespace;
    try {
      const created = this.cluster.createPod(body);
      return sendJson(res, 201, created);
    } catch (e) {
      if (e instanceof StoreError && e.reason === 'AlreadyExists') throw alreadyExists('pods', body.metadata.name);
      throw e;
    }
  }

  private async remove(req: IncomingMessage, res: ServerResponse, target: ResourceRequest, params: URLSearchParams) {
    if (target.def.name !== 'pods') throw methodNotAllowed();
    const pod = this.getObject<Pod>(target);
    const body = (await readBody(req)) as { gracePeriodSeconds?: number };
    // The query's DeleteOptions count only when there is no body (handlers/delete.go).
    const inBody = body !== null && typeof body === 'object' && Object.keys(body).length > 0;
    const graceSeconds = inBody ? body.gracePeriodSeconds : new QueryParams(params).int64('gracePeriodSeconds');
    // Answer with the object marked for deletion, as the apiserver does for graceful deletes.
    const deleting = this.cluster.kubelet.deletePod(pod.metadata.namespace!, pod.metadata.name, graceSeconds);
    const current = this.cluster.store.get<Pod>('pods', pod.metadata.namespace, pod.metadata.name) ?? pod;
    sendJson(res, 200, current);
    await deleting;
  }

  private async selfSubjectAccessReview(req: IncomingMessage, res: ServerResponse, identity: TokenIdentity) {
    type Review = { spec?: { resourceAttributes?: Partial<ResourceAttributes> } };
    const raw = await readRaw(req);
    let body: Review;
    try {
      body = isProtobuf(raw) ? decodeSelfSubjectAccessReview(raw) : (JSON.parse(raw.toString('utf8') || '{}') as Review);
    } catch (e) {
      throw badRequest(`cannot decode the SelfSubjectAccessReview: ${(e as Error).message}`);
    }
    const attrs = body.spec?.resourceAttributes;
    if (!attrs) throw badRequest('spec.resourceAttributes is required (nonResourceAttributes are not supported by the sandbox)');
    const allowed = isAllowed(identity, {
      verb: attrs.verb ?? '',
      group: attrs.group ?? '',
      resource: attrs.resource ?? '',
      subresource: attrs.subresource || undefined,
      namespace: attrs.namespace,
      name: attrs.name,
    });
    return sendJson(res, 201, {
      kind: 'SelfSubjectAccessReview',
      apiVersion: 'authorization.k8s.io/v1',
      metadata: { creationTimestamp: null },
      spec: body.spec,
      status: allowed ? { allowed: true, reason: 'allowed by sandbox token rules' } : { allowed: false },
    });
  }
}

function includeObject(params: URLSearchParams): IncludeObject {
  const v = params.get('includeObject');
  return v === 'None' || v === 'Object' ? v : 'Metadata';
}
