import { FakeKubeTroubleshootApi } from '../../__testUtils__/fakeApi';
import { age } from './age';
import { endedText, LiveTerminals, sameEntity } from './liveTerminals';
import { FakeSocket, until } from '../../__testUtils__/sockets';



function memoryStorage() {
  const data = new Map<string, string>();
  return { getItem: (k: string) => data.get(k) ?? null, setItem: (k: string, v: string) => void data.set(k, v), removeItem: (k: string) => void data.delete(k), data };
}

describe('LiveTerminals', () => {
  beforeAll(() => {
    (globalThis as { WebSocket?: unknown }).WebSocket ??= FakeSocket;
  });

  it('keeps what a reload needs, and a reload takes the session up again with its resume token', async () => {
    const api = new FakeKubeTroubleshootApi();
    const storage = memoryStorage();
    const sockets: FakeSocket[] = [];
    const factory = (url: string, protocols: string[]) => {
      const s = new FakeSocket(url, protocols);
      sockets.push(s);
      return s as unknown as WebSocket;
    };
    const before = new LiveTerminals(storage);
    const entity = { kind: 'component', name: 'web' };
    const live = before.open(api, { entity, cluster: 'c', pod: 'p', container: 'main', href: '/catalog/default/component/web/terminal' }, 'owner', () => api.createSession(entity, { cluster: 'c', pod: 'p', container: 'main' }), factory);
    await until(() => sockets.length === 1);
    sockets[0].open();
    sockets[0].receive({ type: 'ready', ready: { shell: 'bash', production: false, idleTimeoutSeconds: 0, maxDurationSeconds: 0, sessionId: 's-1', role: 'owner', resumeToken: 'R'.repeat(43), reattachGraceSeconds: 60 } });
    const saved = JSON.parse(storage.data.get('kube-troubleshoot.live-terminals')!);
    expect(saved).toEqual([{ key: live.key, target: expect.objectContaining({ pod: 'p', href: '/catalog/default/component/web/terminal' }), role: 'owner', startedAt: live.startedAt, resume: { token: 'R'.repeat(43), path: '/api/kube-troubleshoot/sessions/ws', graceMs: 60_000 } }]);

    // The page reloads: a new registry on the same storage.
    const after = new LiveTerminals(storage);
    after.restore(api, factory);
    after.restore(api, factory); // once per page
    expect(after.list().map(t => t.key)).toEqual([live.key]);
    await until(() => sockets.length === 2);
    expect(sockets[1].protocols).toEqual(['kube-troubleshoot.terminal.v1', `attach.${'R'.repeat(43)}`, 'offset.0', 'bearer.dG9rZW4']);
    expect(api.createSession).toHaveBeenCalledTimes(1);

    // An ended session is not kept for the next reload.
    sockets[1].open();
    sockets[1].receive({ type: 'ended', ended: { reason: 'exit', exitCode: 0, message: 'the shell exited with code 0' } });
    expect(storage.data.has('kube-troubleshoot.live-terminals')).toBe(false);
  });

  it('names entities case-insensitively, ages and end reasons in words', () => {
    expect(sameEntity({ kind: 'Component', name: 'Web' }, { kind: 'component', namespace: 'default', name: 'web' })).toBe(true);
    expect(sameEntity({ kind: 'component', name: 'web' }, { kind: 'component', name: 'api' })).toBe(false);
    expect(age(0, 30_000)).toBe('just now');
    expect(age(0, 4 * 60_000)).toBe('4 min');
    expect(age(0, 125 * 60_000)).toBe('2 h 5 min');
    expect(endedText({ reason: 'disconnected', message: 'x' })).toBe('The connection dropped and did not come back: x');
    expect(endedText({ reason: 'terminated', message: 'ended by user:default/admin' })).toBe('Ended by a platform admin: ended by user:default/admin');
  });
});
