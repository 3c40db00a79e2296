import http from 'node:http';
import { AddressInfo, Socket } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { KubeClient } from './KubeClient';

function clientFor(port: number) {
  const kc = new KubeConfig();
  kc.loadFromClusterAndUser({ name: 'c', server: `http://127.0.0.1:${port}`, skipTLSVerify: true }, { name: 'u', token: 't' });
  return new KubeClient('c', kc);
}

describe('KubeClient', () => {
  it('sends a GET again, once, when the kept-alive connection it reused was closed under it', async () => {
    // The server answers the first request of each connection, and drops the connection when a
    // second one comes on it (what a server closing an idle keep-alive connection does to a client
    // that just reused it).
    const seen = new WeakMap<Socket, number>();
    let dropped = 0;
    const server = http.createServer((req, res) => {
      const n = (seen.get(req.socket) ?? 0) + 1;
      seen.set(req.socket, n);
      if (n > 1) {
        dropped += 1;
        req.socket.destroy();
        return;
      }
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ path: req.url }));
    });
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    try {
      const client = clientFor((server.address() as AddressInfo).port);
      expect(await client.getJson('/api/v1/a')).toEqual({ path: '/api/v1/a' });
      expect(await client.getJson('/api/v1/b')).toEqual({ path: '/api/v1/b' });
      expect(dropped).toBe(1);
    } finally {
      server.closeAllConnections();
      await new Promise(resolve => server.close(resolve));
    }
  });

  it('does not retry a GET on a fresh connection that fails', async () => {
    const server = http.createServer(req => req.socket.destroy());
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    let requests = 0;
    server.on('request', () => (requests += 1));
    try {
      const client = clientFor((server.address() as AddressInfo).port);
      await expect(client.getJson('/api/v1/x')).rejects.toThrow(/unreachable/);
      expect(requests).toBe(1);
    } finally {
      await new Promise(resolve => server.close(resolve));
    }
  });
});
