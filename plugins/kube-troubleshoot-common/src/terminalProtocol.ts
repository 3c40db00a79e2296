/**
 * The frames between the browser's terminal and the backend's session relay, over one WebSocket.
 * Binary frames only: one type byte, then the payload (raw bytes for terminal data, JSON for
 * control frames). Both sides import these functions, so the protocol exists once.
 */

/** The WebSocket subprotocol that names this protocol; the ticket travels as a second one. */
export const TERMINAL_PROTOCOL = 'kube-troubleshoot.terminal.v1';
/** Prefix of the subprotocol that carries the session ticket (`ticket.<value>`). */
export const TICKET_PROTOCOL_PREFIX = 'ticket.';
/**
 * Prefix of the subprotocol that carries the caller's Backstage token, base64url-encoded (a browser
 * WebSocket cannot send `Authorization`; Kubernetes does the same with
 * `base64url.bearer.authorization.k8s.io.`). The ticket says what opens; the token proves who asks.
 */
export const BEARER_PROTOCOL_PREFIX = 'bearer.';
/**
 * Prefix of the subprotocol that carries an attach token (`attach.<value>`) instead of a ticket: it
 * joins a session that runs already, as its owner again (the resume token of a dropped socket) or
 * as a watcher (from `POST .../sessions/{id}/watch`). Single use, valid on any replica.
 */
export const ATTACH_PROTOCOL_PREFIX = 'attach.';
/** Prefix of the subprotocol that says how many output bytes the browser already shows (`offset.<n>`). */
export const OFFSET_PROTOCOL_PREFIX = 'offset.';

/** The subprotocol carrying a Backstage token. */
export function bearerProtocol(token: string): string {
  const bytes = new TextEncoder().encode(token);
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return `${BEARER_PROTOCOL_PREFIX}${btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')}`;
}

/** The token of a `bearer.` subprotocol, or undefined when it is malformed. */
export function tokenFromBearerProtocol(protocol: string): string | undefined {
  const encoded = protocol.slice(BEARER_PROTOCOL_PREFIX.length);
  if (!protocol.startsWith(BEARER_PROTOCOL_PREFIX) || !/^[A-Za-z0-9_-]+$/.test(encoded)) return undefined;
  try {
    const binary = atob(encoded.replace(/-/g, '+').replace(/_/g, '/'));
    return new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(binary, c => c.charCodeAt(0)));
  } catch {
    return undefined; // not base64 (a length of 4n+1), or not UTF-8
  }
}

export const FrameType = {
  /** browser -> backend: keystrokes and pasted text */
  stdin: 0,
  /** backend -> browser: what the terminal prints */
  stdout: 1,
  /** browser -> backend: the terminal's size in columns and rows; backend -> watcher: the session's size */
  resize: 2,
  /** backend -> browser: the session is ready (shell, user, production, recording) */
  ready: 3,
  /** backend -> browser: the session ended, and why */
  ended: 4,
  /** backend -> browser: a problem the user should see (the session may go on) */
  error: 5,
  /** backend -> browser: a warning before the idle or maximum-duration cut */
  notice: 6,
  /** either way: liveness; the other side answers with pong and the same payload */
  ping: 7,
  pong: 8,
  /** backend -> browser: whether the session is shared, and who watches it */
  participants: 9,
  /** browser -> backend: the owner shares or stops sharing; a moderator terminates the session */
  control: 10,
} as const;
export type FrameTypeName = keyof typeof FrameType;

export interface TerminalSize {
  cols: number;
  rows: number;
}

/** Who a browser is in a session: its owner, a read-only watcher, or a watcher who may end it. */
export type SessionRole = 'owner' | 'watcher' | 'moderator';

export interface SessionReady {
  /** The command the session runs, e.g. `bash` or the production wrapper. */
  shell: string;
  /** The session's id (what a watcher joins, what the dock lists). */
  sessionId?: string;
  role?: SessionRole;
  /** The session owner's user entity ref. */
  owner?: string;
  /**
   * The owner's single-use token to reattach to this session after the socket drops (the
   * `attach.` subprotocol); a new one comes with every attach.
   */
  resumeToken?: string;
  /** How long the shell waits for its owner after the socket drops; 0 = it ends at once. */
  reattachGraceSeconds?: number;
  /** This attach took up a session that ran already (a reattach, or a watcher joining). */
  resumed?: boolean;
  /**
   * Output bytes of the session before the next output frame: what a browser that reattaches
   * reports as `offset.<n>` counts from here.
   */
  outputOffset?: number;
  /** The cluster is marked production: the shell runs as a normal user. */
  production: boolean;
  recordingId?: string;
  /** Seconds of inactivity before the session is cut; 0 = never. */
  idleTimeoutSeconds: number;
  /** Seconds after which the session is cut whatever happens; 0 = never. */
  maxDurationSeconds: number;
}

export type SessionEndReason =
  | 'exit' // the shell exited
  | 'idle' // no input for the idle timeout
  | 'max-duration'
  | 'shutdown' // the backend is stopping
  | 'upstream' // the cluster connection failed or closed
  | 'no-shell' // the container has no shell
  | 'client' // the browser closed the socket
  | 'disconnected' // the browser's socket dropped and it did not come back within the grace period
  | 'terminated' // a platform admin ended it
  | 'lost'; // the connection to the portal backend broke (the replica serving it stopped, or the network)

export interface SessionEnded {
  reason: SessionEndReason;
  /** The shell's exit code, when it exited. */
  exitCode?: number;
  message: string;
}

export interface SessionNotice {
  kind: 'idle' | 'max-duration';
  secondsLeft: number;
  message: string;
}

export interface SessionWatcher {
  user: string;
  role: Exclude<SessionRole, 'owner'>;
  /** ISO time the watcher joined. */
  since: string;
}

export interface SessionParticipants {
  shared: boolean;
  watchers: SessionWatcher[];
}

export type SessionControl = { action: 'share' } | { action: 'unshare' } | { action: 'terminate' };

export type Frame =
  | { type: 'stdin' | 'stdout' | 'ping' | 'pong'; data: Uint8Array }
  | { type: 'resize'; size: TerminalSize }
  | { type: 'ready'; ready: SessionReady }
  | { type: 'ended'; ended: SessionEnded }
  | { type: 'error'; message: string }
  | { type: 'notice'; notice: SessionNotice }
  | { type: 'participants'; participants: SessionParticipants }
  | { type: 'control'; control: SessionControl };

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function withType(type: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(payload.length + 1);
  out[0] = type;
  out.set(payload, 1);
  return out;
}

const json = (type: number, value: unknown) => withType(type, encoder.encode(JSON.stringify(value)));

/** Encodes one frame. */
export function encodeFrame(frame: Frame): Uint8Array {
  switch (frame.type) {
    case 'stdin':
    case 'stdout':
    case 'ping':
    case 'pong':
      return withType(FrameType[frame.type], frame.data);
    case 'resize': {
      const out = new Uint8Array(5);
      out[0] = FrameType.resize;
      new DataView(out.buffer).setUint16(1, frame.size.cols);
      new DataView(out.buffer).setUint16(3, frame.size.rows);
      return out;
    }
    case 'ready':
      return json(FrameType.ready, frame.ready);
    case 'ended':
      return json(FrameType.ended, frame.ended);
    case 'error':
      return json(FrameType.error, { message: frame.message });
    case 'notice':
      return json(FrameType.notice, frame.notice);
    case 'participants':
      return json(FrameType.participants, frame.participants);
    case 'control':
      return json(FrameType.control, frame.control);
    default:
      throw new Error(`unknown frame ${JSON.stringify(frame)}`);
  }
}

/** Decodes one frame; throws an Error naming the problem for anything malformed. */
export function decodeFrame(bytes: Uint8Array): Frame {
  if (bytes.length === 0) throw new Error('empty frame');
  const payload = bytes.subarray(1);
  const parse = <T>(): T => {
    try {
      return JSON.parse(decoder.decode(payload)) as T;
    } catch {
      throw new Error(`frame type ${bytes[0]} carries invalid JSON`);
    }
  };
  switch (bytes[0]) {
    case FrameType.stdin:
      return { type: 'stdin', data: payload };
    case FrameType.stdout:
      return { type: 'stdout', data: payload };
    case FrameType.ping:
      return { type: 'ping', data: payload };
    case FrameType.pong:
      return { type: 'pong', data: payload };
    case FrameType.resize: {
      if (payload.length !== 4) throw new Error(`resize frame must carry 4 bytes, got ${payload.length}`);
      const view = new DataView(payload.buffer, payload.byteOffset, 4);
      return { type: 'resize', size: { cols: view.getUint16(0), rows: view.getUint16(2) } };
    }
    case FrameType.ready:
      return { type: 'ready', ready: parse<SessionReady>() };
    case FrameType.ended:
      return { type: 'ended', ended: parse<SessionEnded>() };
    case FrameType.error:
      return { type: 'error', message: parse<{ message: string }>().message };
    case FrameType.notice:
      return { type: 'notice', notice: parse<SessionNotice>() };
    case FrameType.participants:
      return { type: 'participants', participants: parse<SessionParticipants>() };
    case FrameType.control: {
      const control = parse<SessionControl>();
      if (!control || !['share', 'unshare', 'terminate'].includes((control as { action?: string }).action ?? '')) {
        throw new Error('control frame must carry {"action": "share" | "unshare" | "terminate"}');
      }
      return { type: 'control', control: { action: control.action } as SessionControl };
    }
    default:
      throw new Error(`unknown frame type ${bytes[0]}`);
  }
}
