import { StringDecoder } from 'node:string_decoder';
import WebSocket from 'ws';
import { bearerProtocol, CreateSessionResponse, decodeFrame, encodeFrame, Frame, SessionEnded, SessionNotice, SessionParticipants, SessionReady, TerminalSize } from '@kube-troubleshoot/backstage-plugin-common';

/**
 * A terminal session as the browser opens one: the ticket's subprotocols plus the user's Backstage
 * token, from the app's origin; collects the screen and the control frames.
 */
export class TerminalClient {
  /** The output, decoded, as it came (the shell integration's marks included). */
  raw = '';
  /** Every output byte, as it came (`raw` is these, decoded). */
  readonly output: Buffer[] = [];
  private readonly decoder = new StringDecoder('utf8');
  ready?: SessionReady;
  ended?: SessionEnded;
  notices: SessionNotice[] = [];
  /** Whether the session is shared and who watches (the last word of the backend). */
  participants?: SessionParticipants;
  /** The session's size, as a watcher is told it. */
  size?: TerminalSize;
  errors: string[] = [];
  /** When the socket closed, and with which code (1006: dropped without a close frame). */
  closed?: { at: number; code: number };

  /** The output as a terminal shows it: without OSC sequences (the shell's marks, its name), which terminals do not print. */
  get screen(): string {
    // eslint-disable-next-line no-control-regex
    return this.raw.replace(/\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)/g, '');
  }

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer) => {
      const f = decodeFrame(data);
      if (f.type === 'stdout') {
        const bytes = Buffer.from(f.data);
        this.output.push(bytes);
        this.raw += this.decoder.write(bytes);
      }
      else if (f.type === 'ready') this.ready = f.ready;
      else if (f.type === 'ended') this.ended = f.ended;
      else if (f.type === 'notice') this.notices.push(f.notice);
      else if (f.type === 'error') this.errors.push(f.message);
      else if (f.type === 'ping') this.send({ type: 'pong', data: f.data });
      else if (f.type === 'participants') this.participants = f.participants;
      else if (f.type === 'resize') this.size = f.size;
    });
    ws.on('close', code => (this.closed = { at: Date.now(), code }));
    ws.on('error', () => undefined);
  }

  /**
   * Opens `session` on `baseUrl` (a backend, a replica, or the proxy) with the user's token (none:
   * no `bearer.` subprotocol) and the ticket's subprotocols (or `protocols` instead); rejects with the
   * refusal's status and body.
   */
  static open(baseUrl: string, session: Pick<CreateSessionResponse, 'path' | 'protocols'>, opts: { token?: string; origin: string; protocols?: string[] }): Promise<TerminalClient> {
    const url = `${baseUrl.replace(/^http/, 'ws')}${session.path}`;
    const protocols = [...(opts.protocols ?? session.protocols), ...(opts.token ? [bearerProtocol(opts.token)] : [])];
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, protocols, { origin: opts.origin });
      const client = new TerminalClient(ws);
      ws.once('open', () => resolve(client));
      ws.once('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', d => (body += d));
        res.on('end', () => reject(Object.assign(new Error(`${res.statusCode} ${body}`), { status: res.statusCode, body })));
      });
      ws.once('error', reject);
    });
  }

  send(frame: Frame) {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(encodeFrame(frame));
  }

  type(text: string) {
    this.send({ type: 'stdin', data: new TextEncoder().encode(text) });
  }

  async waitFor(what: RegExp | (() => boolean), ms = 20_000) {
    const test = typeof what === 'function' ? what : () => what.test(this.screen);
    const end = Date.now() + ms;
    while (!test()) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}; screen:\n${this.screen}\nended: ${JSON.stringify(this.ended)}`);
      await new Promise(r => setTimeout(r, 20));
    }
  }

  /**
   * Sends the size, waits for readiness, runs a command and checks its output: `<word>`, which the
   * typed command does not contain, so the shell's redraws of its line (a resize) cannot fake it.
   */
  async echo(word: string) {
    this.send({ type: 'resize', size: { cols: 100, rows: 30 } });
    await this.waitFor(() => !!this.ready || !!this.ended);
    if (!this.ready) throw new Error(`the session ended before it was ready: ${JSON.stringify(this.ended)}`);
    this.type(`printf '<%s>\\n' ${word}\r`);
    await this.waitFor(() => this.screen.includes(`<${word}>`));
  }

  /** Exits the shell and waits for the backend's end frame. */
  async exit(code = 0) {
    this.type(`exit ${code}\r`);
    await this.waitFor(() => !!this.ended);
  }

  close() {
    this.ws.close();
  }
}
