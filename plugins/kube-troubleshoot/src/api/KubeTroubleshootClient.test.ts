import { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { KubeTroubleshootClient, logFileName } from './KubeTroubleshootClient';
import { KubeTroubleshootApiError } from './KubeTroubleshootApi';

const entity = {
  kind: 'Component',
  namespace: 'default',
  name: 'payments-api',
};
const base = 'http://localhost:7007/api/kube-troubleshoot';

interface FakeResponse {
  ok: boolean;
  status: number;
  statusText: string;
  body: ReadableStream<Uint8Array> | null;
  text(): Promise<string>;
  json(): Promise<unknown>;
  blob(): Promise<Blob>;
}

function response(
  status: number,
  text: string,
  chunks?: string[],
): FakeResponse {
  const enc = new TextEncoder();
  return {
    ok: status < 400,
    status,
    statusText: status === 403 ? 'Forbidden' : 'OK',
    body: new NodeReadableStream<Uint8Array>({
      start(c) {
        for (const chunk of chunks ?? [text]) c.enqueue(enc.encode(chunk));
        c.close();
      },
    }) as unknown as ReadableStream<Uint8Array>,
    text: async () => text,
    json: async () => JSON.parse(text),
    blob: async () => new Blob([text], { type: 'text/plain' }),
  };
}

const identityApi = { getCredentials: async () => ({ token: 'user-token' }) };

function client(answer: (url: string) => FakeResponse) {
  const fetch = jest.fn(async (url: string) => answer(url));
  const api = new KubeTroubleshootClient({
    discoveryApi: { getBaseUrl: async () => base },
    fetchApi: { fetch: fetch as unknown as typeof globalThis.fetch },
    identityApi,
  });
  return { api, fetch };
}

describe('KubeTroubleshootClient', () => {
  it('asks for the pods of the entity', async () => {
    const { api, fetch } = client(() =>
      response(200, '{"pods":[],"clusterErrors":[]}'),
    );
    await expect(api.getPods(entity)).resolves.toEqual({
      pods: [],
      clusterErrors: [],
    });
    expect(fetch.mock.calls[0][0]).toBe(
      `${base}/entities/component/default/payments-api/pods`,
    );
  });

  it('sends only the log options that are set and parses the NDJSON stream', async () => {
    const { api, fetch } = client(() =>
      response(200, '', [
        '{"type":"line","cluster":"c","pod":"p","container":"api","timestamp":"t1","text":"one"}\n{"type":"li',
        'ne","cluster":"c","pod":"p","container":"api","timestamp":"t2","text":"two"}\n{"type":"end"}\n',
      ]),
    );
    const seen: unknown[] = [];
    await api.streamLogs(
      entity,
      {
        pod: 'p',
        container: 'api',
        follow: true,
        previous: false,
        tailLines: 100,
      },
      m => seen.push(m),
    );
    expect(fetch.mock.calls[0][0]).toBe(
      `${base}/entities/component/default/payments-api/logs?pod=p&container=api&follow=true&tailLines=100`,
    );
    expect(seen).toEqual([
      expect.objectContaining({ type: 'line', text: 'one' }),
      expect.objectContaining({ type: 'line', text: 'two' }),
      { type: 'end' },
    ]);
  });

  it('turns an error body into an error with its message and status', async () => {
    const body = JSON.stringify({
      error: {
        name: 'NotAllowedError',
        message:
          'you do not have kube-troubleshoot.logs.read on component:default/payments-api',
      },
      response: { statusCode: 403 },
    });
    const { api } = client(() => response(403, body));
    const error = await api
      .streamLogs(entity, {}, () => undefined)
      .catch(e => e);
    expect(error).toBeInstanceOf(KubeTroubleshootApiError);
    expect(error.statusCode).toBe(403);
    expect(error.message).toMatch(/kube-troubleshoot\.logs\.read/);
  });

  it('keeps the status line when the error body is not Backstage JSON', async () => {
    const { api } = client(() => response(403, ''));
    await expect(api.getDiagnosis(entity)).rejects.toThrow('403 Forbidden');
  });

  it('watches events with watch=true', async () => {
    const { api, fetch } = client(() =>
      response(
        200,
        '{"type":"snapshot","events":[],"clusterErrors":[]}\n{"type":"delete","id":"x"}\n',
      ),
    );
    const seen: unknown[] = [];
    await api.watchEvents(entity, m => seen.push(m));
    expect(fetch.mock.calls[0][0]).toBe(
      `${base}/entities/component/default/payments-api/events?watch=true`,
    );
    expect(seen).toEqual([
      { type: 'snapshot', events: [], clusterErrors: [] },
      { type: 'delete', id: 'x' },
    ]);
  });

  it('returns quietly when the stream is aborted before the server answers', async () => {
    const controller = new AbortController();
    const api = new KubeTroubleshootClient({
      discoveryApi: { getBaseUrl: async () => base },
      identityApi,
      fetchApi: {
        fetch: (async (_url: string, init?: RequestInit) => {
          controller.abort();
          throw Object.assign(new Error('aborted'), {
            name: 'AbortError',
            init,
          });
        }) as unknown as typeof globalThis.fetch,
      },
    });
    await expect(
      api.streamLogs(entity, {}, () => undefined, controller.signal),
    ).resolves.toBeUndefined();
  });

  it('downloads the server-side log as <entity>-<pod>-<container>.log', async () => {
    const { api, fetch } = client(() => response(200, 'line 1\nline 2\n'));
    const createObjectURL = jest.fn((_b: Blob) => 'blob:log');
    Object.assign(URL, { createObjectURL, revokeObjectURL: jest.fn() });
    const clicked: HTMLAnchorElement[] = [];
    const click = jest
      .spyOn(HTMLAnchorElement.prototype, 'click')
      .mockImplementation(function record(this: HTMLAnchorElement) {
        clicked.push(this);
      });
    await api.downloadLogs(entity, {
      pod: 'payments-api-1',
      container: 'api',
      timestamps: true,
    });
    expect(fetch.mock.calls[0][0]).toBe(
      `${base}/entities/component/default/payments-api/logs?pod=payments-api-1&container=api&timestamps=true&download=true`,
    );
    expect(clicked[0].download).toBe('payments-api-payments-api-1-api.log');
    expect(await createObjectURL.mock.calls[0][0].text()).toBe(
      'line 1\nline 2\n',
    );
    click.mockRestore();
  });

  it('names files of all pods or containers without the missing parts', () => {
    expect(logFileName(entity, {})).toBe('payments-api.log');
    expect(logFileName(entity, { pod: 'p' })).toBe('payments-api-p.log');
    expect(
      logFileName(entity, { pod: 'p', container: 'c', previous: true }),
    ).toBe('payments-api-p-c-previous.log');
  });

  it('opens a session socket on the backend origin with the ticket and the user token as subprotocols', async () => {
    const { api } = client(() => response(200, '{}'));
    const socket = await api.sessionSocket({
      path: '/api/kube-troubleshoot/sessions/ws',
      protocols: ['kube-troubleshoot.terminal.v1', 'ticket.t'],
    });
    expect(socket.url).toBe('ws://localhost:7007/api/kube-troubleshoot/sessions/ws');
    expect(socket.protocols).toEqual([
      'kube-troubleshoot.terminal.v1',
      'ticket.t',
      'bearer.dXNlci10b2tlbg',
    ]);
  });
});
