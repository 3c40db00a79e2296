import http from 'node:http';
import { AddressInfo } from 'node:net';
import { PodJson } from '../clusters/kubeTypes';

/** One request that reached the fake cluster. */
export interface SeenRequest {
  method: string;
  path: string;
  query: Record<string, string>;
}

/**
 * A stand-in Kubernetes API server on 127.0.0.1 for fast router tests: it lists and gets the pods
 * it is given (label selectors `k=v[,k=v]`, the `metadata.name=` field selector), serves empty
 * event lists and a short log, and records every request, so a test can prove what reached the
 * cluster and what did not. Anything else is the apiserver's 404 Status.
 */
export class FakeApiServer {
  readonly requests: SeenRequest[] = [];
  pods: PodJson[] = [];
  private server?: http.Server;

  async start(): Promise<string> {
    this.server = http.createServer((req, res) => this.handle(req, res));
    await new Promise<void>(resolve => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop() {
    await new Promise<void>(resolve => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://fake');
    const query = Object.fromEntries(url.searchParams);
    this.requests.push({ method: req.method ?? 'GET', path: url.pathname, query });
    const json = (code: number, body: unknown) => {
      res.writeHead(code, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const notFound = () => json(404, { kind: 'Status', apiVersion: 'v1', status: 'Failure', message: `the server could not find the requested resource (${url.pathname})`, reason: 'NotFound', code: 404 });
    if (req.method !== 'GET') {
      // The plugin's service account may only read here: writes get the apiserver's RBAC refusal.
      const [, , , , namespace, , pod, sub] = url.pathname.split('/');
      const resource = sub ? `pods/${sub}` : 'pods';
      const verb = { POST: 'create', PATCH: 'patch', DELETE: 'delete', PUT: 'update' }[req.method ?? ''] ?? 'create';
      return json(403, {
        kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Forbidden', code: 403,
        message: `pods${pod ? ` "${pod}"` : ''} is forbidden: User "system:serviceaccount:backstage:kube-troubleshoot" cannot ${verb} resource "${resource}" in API group "" in the namespace "${namespace}"`,
      });
    }
    const m = /^\/api\/v1\/(?:namespaces\/([^/]+)\/)?(pods|events)(?:\/([^/]+))?(?:\/(log))?$/.exec(url.pathname);
    if (!m) return notFound();
    const [, namespace, resource, name, sub] = m;
    if (resource === 'events') return json(200, { kind: 'EventList', apiVersion: 'v1', metadata: { resourceVersion: '1' }, items: [] });
    const inNamespace = this.pods.filter(p => !namespace || p.metadata.namespace === namespace);
    if (name) {
      const pod = inNamespace.find(p => p.metadata.name === name);
      if (!pod) return notFound();
      if (sub === 'log') {
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        res.end(`2026-01-01T00:00:00.000000000Z ${query.previous === 'true' ? 'previous run: fatal' : `hello from ${name}`}\n`);
        return undefined;
      }
      return json(200, pod);
    }
    const labels = (query.labelSelector ?? '').split(',').filter(Boolean).map(s => s.split('='));
    const field = /^metadata\.name=(.*)$/.exec(query.fieldSelector ?? '')?.[1];
    const matches = (p: PodJson, [k, v]: string[]) => {
      const have = p.metadata.labels ?? {};
      if (v !== undefined) return have[k] === v;
      return k.startsWith('!') ? !(k.slice(1) in have) : k in have;
    };
    const items = inNamespace.filter(p => labels.every(l => matches(p, l)) && (field === undefined || p.metadata.name === field));
    return json(200, { kind: 'PodList', apiVersion: 'v1', metadata: { resourceVersion: '1' }, items });
  }
}
