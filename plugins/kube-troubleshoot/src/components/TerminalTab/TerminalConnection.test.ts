import { FakeKubeTroubleshootApi } from '../../__testUtils__/fakeApi';
import { KubeTroubleshootApiError } from '../../api';
import { ConnectionEvents, droppedSession, TerminalConnection } from './TerminalConnection';
import { FakeSocket, until } from '../../__testUtils__/sockets';


function setup() {
  const api = new FakeKubeTroubleshootApi();
  const sockets: FakeSocket[] = [];
  const log: string[] = [];
  const events: ConnectionEvents = {
    data: b => log.push(`data:${new TextDecoder().decode(b)}`),
    status: s => log.push(`status:${s}`),
    ready: r => log.push(`ready:${r.shell}`),
    ended: e => log.push(`ended:${e.reason}:${e.exitCode ?? ''}`),
    notice: n => log.push(`notice:${n.kind}`),
    failed: e => log.push(`failed:${(e as KubeTroubleshootApiError).statusCode ?? ''}:${e.message}`),
    warning: w => log.push(`warning:${w}`),
  };
  const entity = { kind: 'component', namespace: 'default', name: 'web' };
  const connection = new TerminalConnection(api, () => api.createSession(entity, { cluster: 'c', pod: 'p', container: 'main' }), events, (url, protocols) => {
    const s = new FakeSocket(url, protocols);
    sockets.push(s);
    return s as unknown as WebSocket;
  });
  return { api, sockets, log, connection };
}

describe('TerminalConnection', () => {
  beforeAll(() => {
    (globalThis as { WebSocket?: unknown }).WebSocket ??= FakeSocket;
  });

  it('asks for a ticket, opens the socket with it, sends the size, relays both ways', async () => {
    const { api, sockets, log, connection } = setup();
    connection.resize({ cols: 100, rows: 30 });
    await connection.connect();
    expect(api.sessionRequests).toEqual([{ cluster: 'c', pod: 'p', container: 'main' }]);
    const s = sockets[0];
    expect(s.url).toBe('ws://backend.test/api/kube-troubleshoot/sessions/ws');
    expect(s.protocols).toEqual(['kube-troubleshoot.terminal.v1', `ticket.${'t'.repeat(43)}`, 'bearer.dG9rZW4']);
    expect(s.binaryType).toBe('arraybuffer');
    s.open();
    expect(s.sent).toEqual([{ type: 'resize', size: { cols: 100, rows: 30 } }]);
    connection.input('ls\r');
    connection.resize({ cols: 100, rows: 30 }); // unchanged: not sent again
    s.receive({ type: 'ready', ready: { shell: 'bash', production: false, idleTimeoutSeconds: 0, maxDurationSeconds: 0 } });
    s.receive({ type: 'stdout', data: new TextEncoder().encode('file\r\n') });
    s.receive({ type: 'ping', data: new Uint8Array([7]) });
    s.receive({ type: 'ended', ended: { reason: 'exit', exitCode: 2, message: 'the shell exited with code 2' } });
    s.onclose?.({ code: 1000 });
    expect(s.sent.slice(1)).toEqual([
      { type: 'stdin', data: new TextEncoder().encode('ls\r') },
      { type: 'pong', data: new Uint8Array([7]) },
    ]);
    expect(log).toEqual(['status:connecting', 'status:open', 'ready:bash', 'data:file\r\n', 'status:ended', 'ended:exit:2']);
  });

  it('reports a refused ticket with its status code, and a dropped socket as an end', async () => {
    const { api, sockets, log, connection } = setup();
    api.session = async () => {
      throw new KubeTroubleshootApiError('you do not have kube-troubleshoot.terminal.create on component:default/web', 403);
    };
    await connection.connect();
    expect(sockets).toHaveLength(0);
    expect(log).toEqual(['status:connecting', 'status:failed', 'failed:403:you do not have kube-troubleshoot.terminal.create on component:default/web']);
    log.length = 0;
    api.session = new FakeKubeTroubleshootApi().session;
    await connection.connect();
    sockets[0].open();
    sockets[0].onclose?.({ code: 1006 });
    expect(log).toEqual(['status:connecting', 'status:open', 'status:ended', 'ended:lost:']);
  });

  it('says why a socket closed without an end frame: refused before it opened, or lost under an open session', () => {
    expect(droppedSession(1006, false)).toEqual({ reason: 'upstream', message: expect.stringMatching(/^the portal did not open the terminal connection \(code 1006\)/) });
    expect(droppedSession(1000, true)).toEqual({ reason: 'upstream', message: 'the session closed' });
    const lost = droppedSession(1006, true);
    expect(lost.reason).toBe('lost');
    expect(lost.message).toBe('the backend serving this terminal stopped, or the network dropped (WebSocket code 1006); the shell ended with it. Reconnect opens a new shell');
  });

  it('opens no socket when closed while the ticket was on its way (unmount, StrictMode)', async () => {
    const { sockets, connection } = setup();
    const connecting = connection.connect();
    connection.close();
    await connecting;
    expect(sockets).toHaveLength(0);
  });

  it('reconnects with a new ticket and closes the old socket', async () => {
    const { api, sockets, connection } = setup();
    await connection.connect();
    sockets[0].open();
    await connection.connect();
    expect(sockets[0].closedWith).toBe(1000);
    expect(api.createSession).toHaveBeenCalledTimes(2);
    expect(sockets).toHaveLength(2);
  });

  describe('reattaching after the socket drops', () => {
    const ready = (token: string, offset = 0) => ({ shell: 'bash', production: false, idleTimeoutSeconds: 0, maxDurationSeconds: 0, sessionId: 's-1', role: 'owner' as const, resumeToken: token, reattachGraceSeconds: 60, outputOffset: offset });

    it('takes the same session up again with its resume token and the bytes it shows', async () => {
      const { sockets, log, connection } = setup();
      connection.resize({ cols: 90, rows: 20 });
      await connection.connect();
      sockets[0].open();
      sockets[0].receive({ type: 'ready', ready: ready('A'.repeat(43)) });
      sockets[0].receive({ type: 'stdout', data: new TextEncoder().encode('12345') });
      expect(connection.resume).toEqual({ token: 'A'.repeat(43), path: '/api/kube-troubleshoot/sessions/ws', graceMs: 60_000 });
      sockets[0].onclose?.({ code: 1006 });
      await until(() => sockets.length === 2);
      expect(sockets[1].protocols).toEqual(['kube-troubleshoot.terminal.v1', `attach.${'A'.repeat(43)}`, 'offset.5', 'bearer.dG9rZW4']);
      sockets[1].open();
      expect(sockets[1].sent).toEqual([{ type: 'resize', size: { cols: 90, rows: 20 } }]);
      sockets[1].receive({ type: 'stdout', data: new TextEncoder().encode('678') });
      sockets[1].receive({ type: 'ready', ready: { ...ready('B'.repeat(43), 8), resumed: true } });
      expect(connection.resume?.token).toBe('B'.repeat(43));
      expect(log.filter(l => l.startsWith('status:'))).toEqual(['status:connecting', 'status:open', 'status:reconnecting', 'status:open']);
      expect(log).not.toContain('status:ended');
      // The next drop reports the offset the backend counted.
      sockets[1].onclose?.({ code: 1006 });
      await until(() => sockets.length === 3);
      expect(sockets[2].protocols).toContain('offset.8');
    });

    it('tries again while the backend is away, then ends when the grace is over', async () => {
      let now = 0;
      const { api, sockets, log } = setup();
      const connection = new TerminalConnection(api, () => api.createSession({ kind: 'component', name: 'web' }, { cluster: 'c', pod: 'p', container: 'main' }), {
        data: () => undefined,
        status: st => log.push(`status:${st}`),
        ready: () => undefined,
        ended: e => log.push(`ended:${e.reason}`),
        notice: () => undefined,
        failed: () => undefined,
        warning: () => undefined,
      }, (url, protocols) => {
        const sock = new FakeSocket(url, protocols);
        sockets.push(sock);
        return sock as unknown as WebSocket;
      }, () => now);
      await connection.connect();
      sockets[0].open();
      sockets[0].receive({ type: 'ready', ready: ready('A'.repeat(43)) });
      sockets[0].onclose?.({ code: 1006 });
      await until(() => sockets.length === 2);
      // Refused before it opened: another attempt follows.
      sockets[1].onclose?.({ code: 1006 });
      await until(() => sockets.length === 3);
      now = 61_000;
      sockets[2].onclose?.({ code: 1006 });
      await until(() => log.includes('ended:disconnected'));
      expect(sockets).toHaveLength(3);
      expect(connection.resume).toBeUndefined();
    });

    it('does not reattach a session closed on purpose, and says when another window took it', async () => {
      const { sockets, log, connection } = setup();
      await connection.connect();
      sockets[0].open();
      sockets[0].receive({ type: 'ready', ready: ready('A'.repeat(43)) });
      sockets[0].onclose?.({ code: 4001 });
      expect(log.slice(-2)).toEqual(['status:ended', 'ended:client:']);
      await connection.connect();
      sockets[1].open();
      sockets[1].receive({ type: 'ready', ready: ready('C'.repeat(43)) });
      connection.close();
      expect(sockets[1].closedWith).toBe(1000);
      expect(sockets).toHaveLength(2);
    });
  });
});
