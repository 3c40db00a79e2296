import {
  ATTACH_PROTOCOL_PREFIX,
  decodeFrame,
  encodeFrame,
  Frame,
  OFFSET_PROTOCOL_PREFIX,
  SessionControl,
  SessionEnded,
  SessionNotice,
  SessionParticipants,
  SessionReady,
  TERMINAL_PROTOCOL,
  TerminalSize,
} from '@kube-troubleshoot/backstage-plugin-common';
import { KubeTroubleshootApi } from '../../api';

export type ConnectionStatus = 'connecting' | 'open' | 'reconnecting' | 'ended' | 'failed';

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
  /** Whether the session is shared, and who watches it. */
  participants?(participants: SessionParticipants): void;
  /** The session's size (a watcher shows the owner's). */
  size?(size: TerminalSize): void;
}

/** What the browser needs of `WebSocket`, so tests can give a fake. */
export type SocketFactory = (url: string, protocols: string[]) => WebSocket;

/** Where a session's socket opens: a new session's ticket, or a watcher's attach token. */
export interface SessionOpening {
  path: string;
  protocols: string[];
}

/** How a browser that lost its socket comes back: the owner's resume token, until the grace ends. */
export interface Resume {
  token: string;
  path: string;
  graceMs: number;
}

const encoder = new TextEncoder();

/**
 * Why a session ended when its socket closed without the backend's `ended` frame: the portal
 * refused the WebSocket (it never opened), or the connection broke under an open session and could
 * not be taken up again.
 */
export function droppedSession(code: number, opened: boolean): SessionEnded {
  if (!opened) {
    return { reason: 'upstream', message: `the portal did not open the terminal connection (code ${code}): sign in again or try Reconnect; the backend's log says why` };
  }
  if (code === 1000) return { reason: 'upstream', message: 'the session closed' };
  return { reason: 'lost', message: `the backend serving this terminal stopped, or the network dropped (WebSocket code ${code}); the shell ended with it. Reconnect opens a new shell` };
}

/** Waits before the next reattach attempt: quick at first, then every few seconds. */
export const reattachDelay = (attempt: number) => Math.min(500 * 2 ** attempt, 4000);

/**
 * One terminal session from the browser: asks the backend for a ticket, opens the WebSocket with
 * it, and speaks the common frame protocol. When the socket drops under a running session, it
 * reattaches to the same shell with its resume token (on whichever replica the socket reaches)
 * until the backend's grace period is over. `connect()` again after an end makes a new session (a
 * new ticket), which is what the Reconnect button does.
 */
export class TerminalConnection {
  private socket?: WebSocket;
  private size?: TerminalSize;
  private endedReported = false;
  /** Bumped by every connect and close: a ticket that arrives after either is dropped, not used. */
  private generation = 0;
  /** Output bytes of the session this browser shows (what a reattach reports). */
  private received = 0;
  private resumeWith?: Resume;
  private retryTimer?: ReturnType<typeof setTimeout>;
  private lastReady?: SessionReady;

  /**
   * `open` asks the backend for a session (a terminal, a debug container, a pod copy, a watcher's
   * seat) and answers where its socket opens; it runs again on every connect.
   */
  constructor(
    private readonly api: KubeTroubleshootApi,
    private readonly open: () => Promise<SessionOpening>,
    private readonly events: ConnectionEvents,
    private readonly openSocket: SocketFactory = (url, protocols) => new WebSocket(url, protocols),
    private readonly now: () => number = () => Date.now(),
  ) {}

  /** The session's `ready`, once it came (the dock and a reload read it). */
  get ready(): SessionReady | undefined {
    return this.lastReady;
  }

  /** How to take the session up again after a reload (undefined once it ended). */
  get resume(): Resume | undefined {
    return this.endedReported ? undefined : this.resumeWith;
  }

  async connect(): Promise<void> {
    this.close();
    const generation = this.generation;
    this.endedReported = false;
    this.received = 0;
    this.resumeWith = undefined;
    this.events.status('connecting');
    let url: string;
    let protocols: string[];
    try {
      const opening = await this.open();
      ({ url, protocols } = await this.api.sessionSocket(opening));
      this.path = opening.path;
    } catch (e) {
      if (generation !== this.generation) return;
      this.events.status('failed');
      this.events.failed(e as Error);
      return;
    }
    // Closed (or reconnected) while the ticket was on its way: the ticket simply expires unused.
    if (generation !== this.generation) return;
    this.attachSocket(url, protocols, generation, undefined);
  }

  private path?: string;

  /**
   * Takes a running session up again with its resume token (a reload: this browser shows nothing
   * of it yet, so the backend sends its kept screen).
   */
  reattach(resume: Resume) {
    this.close();
    this.endedReported = false;
    this.received = 0;
    this.resumeWith = resume;
    this.path = resume.path;
    this.events.status('reconnecting');
    this.retry(this.generation, this.now() + resume.graceMs, 0);
  }

  private retry(generation: number, deadline: number, attempt: number) {
    const resume = this.resumeWith;
    if (generation !== this.generation || !resume) return;
    if (this.now() > deadline) {
      this.endedReported = true;
      this.events.status('ended');
      this.events.ended({ reason: 'disconnected', message: `the connection to the portal did not come back within ${Math.round(resume.graceMs / 1000)} s, so the shell ended. Reconnect opens a new shell` });
      return;
    }
    const protocols = [TERMINAL_PROTOCOL, `${ATTACH_PROTOCOL_PREFIX}${resume.token}`, `${OFFSET_PROTOCOL_PREFIX}${this.received}`];
    this.api.sessionSocket({ path: resume.path, protocols }).then(
      ({ url, protocols: withToken }) => {
        if (generation !== this.generation) return;
        this.attachSocket(url, withToken, generation, () => {
          this.retryTimer = setTimeout(() => this.retry(generation, deadline, attempt + 1), reattachDelay(attempt));
        });
      },
      (e: Error) => {
        if (generation !== this.generation) return;
        this.events.warning(`reattaching: ${e.message}`);
        this.retryTimer = setTimeout(() => this.retry(generation, deadline, attempt + 1), reattachDelay(attempt));
      },
    );
  }

  /** Opens a socket; `refused` runs when it closes before it opened (a reattach tries again). */
  private attachSocket(url: string, protocols: string[], generation: number, refused: (() => void) | undefined) {
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
      if (this.socket !== socket || generation !== this.generation) return;
      if (this.endedReported) return;
      if (!opened && refused) {
        refused();
        return;
      }
      // Taken over by another window (4001): that one has the session now.
      if (event.code === 4001) {
        this.endedReported = true;
        this.events.status('ended');
        this.events.ended({ reason: 'client', message: 'this session was opened in another window or tab' });
        return;
      }
      const resume = this.resumeWith;
      if (opened && resume && resume.graceMs > 0) {
        this.events.status('reconnecting');
        this.retry(generation, this.now() + resume.graceMs, 0);
        return;
      }
      this.endedReported = true;
      this.events.status('ended');
      this.events.ended(droppedSession(event.code, opened));
    };
    socket.onerror = () => {
      // A refused upgrade surfaces here without details; onclose follows with the code.
    };
  }

  private onFrame(frame: Frame) {
    switch (frame.type) {
      case 'stdout':
        this.received += frame.data.length;
        this.events.data(frame.data);
        break;
      case 'ready':
        this.lastReady = frame.ready;
        if (frame.ready.outputOffset !== undefined) this.received = frame.ready.outputOffset;
        if (frame.ready.resumeToken && this.path) {
          this.resumeWith = { token: frame.ready.resumeToken, path: this.path, graceMs: (frame.ready.reattachGraceSeconds ?? 0) * 1000 };
        }
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
      case 'participants':
        this.events.participants?.(frame.participants);
        break;
      case 'resize':
        this.events.size?.(frame.size);
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

  /** Sharing (the owner), ending the session (a moderator). */
  control(control: SessionControl) {
    this.send({ type: 'control', control });
  }

  /** The terminal's size; remembered and sent again when a new session opens. */
  resize(size: TerminalSize) {
    if (size.cols < 1 || size.rows < 1) return;
    if (this.size && this.size.cols === size.cols && this.size.rows === size.rows) return;
    this.size = size;
    this.send({ type: 'resize', size });
  }

  /** Ends the session: the socket closes with 1000, which the backend takes as the user closing it. */
  close() {
    this.generation += 1;
    clearTimeout(this.retryTimer);
    const socket = this.socket;
    this.socket = undefined;
    if (socket && socket.readyState <= WebSocket.OPEN) socket.close(1000);
  }
}
