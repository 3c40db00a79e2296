import {
  CreateSessionResponse,
  decodeFrame,
  encodeFrame,
  Frame,
  SessionEnded,
  SessionNotice,
  SessionReady,
  TerminalSize,
} from '@kube-troubleshoot/backstage-plugin-common';
import { KubeTroubleshootApi } from '../../api';

export type ConnectionStatus = 'connecting' | 'open' | 'ended' | 'failed';

export interface ConnectionEvents {
  data(bytes: Uint8Array): void;
  status(status: ConnectionStatus): void;
  ready(ready: SessionReady): void;
  ended(ended: SessionEnded): void;
  notice(notice: SessionNotice): void;
  /** A request failed (ticket refused, socket failed); `statusCode` when the backend answered. */
  failed(error: Error & { statusCode?: number }): void;
  /** Something the user should know while the session goes on. */
  warning(message: string): void;
}

/** What the browser needs of `WebSocket`, so tests can give a fake. */
export type SocketFactory = (url: string, protocols: string[]) => WebSocket;

const encoder = new TextEncoder();

/**
 * Why a session ended when its socket closed without the backend's `ended` frame: the portal
 * refused the WebSocket (it never opened), or the connection broke under an open session (the
 * backend replica serving it stopped, or the network), which ends the shell with it.
 */
export function droppedSession(code: number, opened: boolean): SessionEnded {
  if (!opened) {
    return { reason: 'upstream', message: `the portal did not open the terminal connection (code ${code}): sign in again or try Reconnect; the backend's log says why` };
  }
  if (code === 1000) return { reason: 'upstream', message: 'the session closed' };
  return { reason: 'lost', message: `the backend serving this terminal stopped, or the network dropped (WebSocket code ${code}); the shell ended with it. Reconnect opens a new shell` };
}

/**
 * One terminal session from the browser: asks the backend for a ticket, opens the WebSocket with
 * it, and speaks the common frame protocol. `connect()` again after an end makes a new session
 * (a new ticket), which is what the Reconnect button does.
 */
export class TerminalConnection {
  private socket?: WebSocket;
  private size?: TerminalSize;
  private endedReported = false;
  /** Bumped by every connect and close: a ticket that arrives after either is dropped, not used. */
  private generation = 0;

  /**
   * `open` asks the backend for a session (a terminal, a debug container, a pod copy) and answers
   * its ticket; it runs again on every connect.
   */
  constructor(
    private readonly api: KubeTroubleshootApi,
    private readonly open: () => Promise<CreateSessionResponse>,
    private readonly events: ConnectionEvents,
    private readonly openSocket: SocketFactory = (url, protocols) => new WebSocket(url, protocols),
  ) {}

  async connect(): Promise<void> {
    this.close();
    const generation = this.generation;
    this.endedReported = false;
    this.events.status('connecting');
    let url: string;
    let protocols: string[];
    try {
      const session = await this.open();
      ({ url, protocols } = await this.api.sessionSocket(session));
    } catch (e) {
      if (generation !== this.generation) return;
      this.events.status('failed');
      this.events.failed(e as Error);
      return;
    }
    // Closed (or reconnected) while the ticket was on its way: the ticket simply expires unused.
    if (generation !== this.generation) return;
    const socket = this.openSocket(url, protocols);
    socket.binaryType = 'arraybuffer';
    this.socket = socket;
    let opened = false;
    socket.onopen = () => {
      opened = true;
      this.events.status('open');
      if (this.size) this.send({ type: 'resize', size: this.size });
    };
    socket.onmessage = event => {
      if (!(event.data instanceof ArrayBuffer)) return;
      let frame: Frame;
      try {
        frame = decodeFrame(new Uint8Array(event.data));
      } catch (e) {
        this.events.warning(`ignored a malformed frame from the backend: ${(e as Error).message}`);
        return;
      }
      this.onFrame(frame);
    };
    socket.onclose = event => {
      if (this.socket !== socket) return;
      if (!this.endedReported) {
        this.endedReported = true;
        this.events.status('ended');
        this.events.ended(droppedSession(event.code, opened));
      }
    };
    socket.onerror = () => {
      // A refused upgrade surfaces here without details; onclose follows with the code.
    };
  }

  private onFrame(frame: Frame) {
    switch (frame.type) {
      case 'stdout':
        this.events.data(frame.data);
        break;
      case 'ready':
        this.events.ready(frame.ready);
        break;
      case 'ended':
        this.endedReported = true;
        this.events.status('ended');
        this.events.ended(frame.ended);
        break;
      case 'notice':
        this.events.notice(frame.notice);
        break;
      case 'error':
        this.events.warning(frame.message);
        break;
      case 'ping':
        this.send({ type: 'pong', data: frame.data });
        break;
      default:
        break;
    }
  }

  private send(frame: Frame) {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(encodeFrame(frame));
  }

  /** Keystrokes and pasted text. */
  input(text: string) {
    this.send({ type: 'stdin', data: encoder.encode(text) });
  }

  /** The terminal's size; remembered and sent again when a new session opens. */
  resize(size: TerminalSize) {
    if (size.cols < 1 || size.rows < 1) return;
    if (this.size && this.size.cols === size.cols && this.size.rows === size.rows) return;
    this.size = size;
    this.send({ type: 'resize', size });
  }

  close() {
    this.generation += 1;
    const socket = this.socket;
    this.socket = undefined;
    if (socket && socket.readyState <= WebSocket.OPEN) socket.close(1000);
  }
}
