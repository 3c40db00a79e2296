import http from 'node:http';
import { AddressInfo } from 'node:net';
import { Duplex } from 'node:stream';
import WebSocket from 'ws';
import { TERMINAL_PROTOCOL } from '@kube-troubleshoot/backstage-plugin-common';
import { registerWebSocketRoute, UpgradeAttempt, WebSocketCapableRouter } from './upgradeListener';

type Handler = Parameters<NonNullable<WebSocketCapableRouter['addWebSocketHandler']>>[0];

/** A server whose upgrades go to the handler a plugin registered, as Backstage's own WebSocket routes do. */
async function serve(handler: Handler) {
  const server = http.createServer((_req, res) => res.writeHead(404).end());
  const done: Array<Promise<void>> = [];
  server.on('upgrade', (request: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    done.push(Promise.resolve(handler.handler({ request, socket, head })));
  });
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  return { server, done, url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/api/kube-troubleshoot/sessions/ws` };
}

describe('registerWebSocketRoute', () => {
  it('leaves older backends (no addWebSocketHandler) to the sessions router', () => {
    expect(registerWebSocketRoute({}, '/sessions/ws', { connect: async () => ({ ok: false, status: 400, message: 'x' }) })).toBe(false);
  });

  it('registers the session path, unauthenticated (the subprotocols carry ticket and token), and serves the upgrade', async () => {
    const registered: Handler[] = [];
    const attempts: UpgradeAttempt[] = [];
    const router: WebSocketCapableRouter = { addWebSocketHandler: o => registered.push(o) };
    expect(
      registerWebSocketRoute(router, '/sessions/ws', {
        connect: async attempt => {
          attempts.push(attempt);
          return { ok: true, abandon: () => undefined, accept: ws => ws.send('hello from the session') };
        },
      }),
    ).toBe(true);
    expect(registered).toEqual([expect.objectContaining({ path: '/sessions/ws', authPolicy: 'unauthenticated' })]);
    const { server, done, url } = await serve(registered[0]);
    try {
      const ws = new WebSocket(url, [TERMINAL_PROTOCOL, `ticket.${'t'.repeat(43)}`], { origin: 'http://localhost:3000' });
      const message = await new Promise<string>((resolve, reject) => {
        ws.once('message', d => resolve(String(d)));
        ws.once('error', reject);
      });
      expect(message).toBe('hello from the session');
      expect(ws.protocol).toBe(TERMINAL_PROTOCOL);
      expect(attempts[0]).toMatchObject({ origin: 'http://localhost:3000', ticket: 't'.repeat(43) });
      // The handler resolves once the socket is the session's.
      await Promise.all(done);
      ws.close();
    } finally {
      server.closeAllConnections();
      await new Promise(r => server.close(r));
    }
  });

  it('answers a refusal on the socket and resolves', async () => {
    const registered: Handler[] = [];
    registerWebSocketRoute({ addWebSocketHandler: o => registered.push(o) }, '/sessions/ws', {
      connect: async () => ({ ok: false, status: 403, message: 'the origin http://evil may not open terminal sessions' }),
    });
    const { server, done, url } = await serve(registered[0]);
    try {
      const ws = new WebSocket(url, [TERMINAL_PROTOCOL], { origin: 'http://evil' });
      const refusal = await new Promise<{ status?: number; body: string }>(resolve => {
        ws.once('unexpected-response', (_req, res) => {
          let body = '';
          res.on('data', d => (body += d));
          res.on('end', () => resolve({ status: res.statusCode, body }));
        });
      });
      expect(refusal.status).toBe(403);
      expect(JSON.parse(refusal.body).error).toEqual({ name: 'NotAllowedError', message: 'the origin http://evil may not open terminal sessions' });
      await Promise.all(done);
    } finally {
      server.closeAllConnections();
      await new Promise(r => server.close(r));
    }
  });
});
