import WebSocket from 'ws';
import {
  decodeFrame,
  encodeFrame,
  Frame,
  FrameType,
  SessionControl,
  SessionEndReason,
  SessionParticipants,
  SessionReady,
  SessionRole,
} from '@kube-troubleshoot/backstage-plugin-common';
import { CHANNEL, channelFrame, ExitResult, readExitStatus, resizeFrame } from '../clusters/channelProtocol';
import { DeadlineState, nextDeadline } from './deadlines';
import { Heartbeat, HeartbeatMember } from './Heartbeat';
import { Scrollback } from './Scrollback';

export interface RelayLimits {
  /** Cut after this long without input; 0 = never. */
  idleTimeoutMs: number;
  /** Cut after this long whatever happens; 0 = never. */
  maxDurationMs: number;
  /** Warn the user this long before either cut. */
  warnBeforeMs: number;
  /** WebSocket pings both ways, so proxies keep idle sockets and dead peers are noticed (one Heartbeat per replica). */
  heartbeatMs: number;
  /** Bytes queued towards one side before the other side is paused. */
  bufferBytes: number;
  /** How long the shell waits for its owner after the owner's socket dropped; 0 = it ends with the socket. */
  reattachGraceMs: number;
  /** Output kept for a browser that comes back, or a watcher who joins. */
  scrollbackBytes: number;
}

/** What a recorder is told, in order. */
export interface RelayObserver {
  output(data: Buffer): void;
  input(data: Buffer): void;
  resize(cols: number, rows: number): void;
}

export interface RelayEnd {
  reason: SessionEndReason;
  exitCode?: number;
  message: string;
  bytesIn: number;
  bytesOut: number;
  durationMs: number;
}

/** The command failed before it printed anything (e.g. the image lacks it): the caller may try another. */
export class FailedBeforeOutput extends Error {}

/** What the relay asks of its session (sharing is kept in the database, moderation audited). */
export interface RelayHooks {
  /** The owner shared or stopped sharing. */
  shared?(shared: boolean): void;
  /** A moderator ended the session. */
  terminated?(by: string): void;
  /** A watcher left (or was dropped). */
  watcherLeft?(userRef: string): void;
}

/** A browser on the session: its owner, or a watcher. */
interface Attachment {
  ws: WebSocket;
  userRef: string;
  role: SessionRole;
  since: Date;
  answered: boolean;
}

/** WebSocket close codes of a socket that went away without its user closing the terminal. */
const DROPPED = new Set([1001, 1006, 1011, 1012, 1013, 1014]);

/**
 * One terminal session's relay between its browsers' WebSockets (the common frame protocol) and
 * the cluster's exec or attach (channel.k8s.io v4/v5): input, output, resize, exit status,
 * heartbeats, idle and maximum duration, and backpressure both ways (a side with too much queued
 * towards it pauses the other). Ends once, with a reason the user is shown.
 *
 * The owner's browser may drop and come back ({@link resumeOwner}) within the grace period, and
 * watchers may join read-only ({@link addWatcher}); both are shown the kept scrollback first.
 *
 * An idle session holds little: one timer for its limits, a place in the replica's heartbeat, its
 * sockets and the output it keeps (a replica is meant to hold thousands).
 */
export class TerminalRelay implements HeartbeatMember {
  private readonly startedAt = Date.now();
  private bytesIn = 0;
  private bytesOut = 0;
  private ended?: RelayEnd;
  private exit?: ExitResult;
  private deadlineTimer?: NodeJS.Timeout;
  private graceTimer?: NodeJS.Timeout;
  private readonly deadlines: DeadlineState = { since: 0, lastInputAt: 0, idleWarnedFor: -1, maxWarned: false };
  private upstreamAnswered = true;
  private upstream?: WebSocket;
  private armed = false;
  /** The browser's first frames (waiting for the upstream) include a resize. */
  private pendingResize = false;
  private readonly endListeners: Array<(end: RelayEnd) => void> = [];
  private readonly scrollback: Scrollback;
  /** The owner's browser; none while it is away (within the grace period). */
  private owner?: Attachment;
  private watchers?: Set<Attachment>;
  private shared = false;

  private observer?: RelayObserver;
  private lastSize?: { cols: number; rows: number };

  constructor(
    browser: WebSocket,
    private readonly limits: RelayLimits,
    private readonly heartbeat: Heartbeat,
    owner: string,
    private readonly hooks: RelayHooks = {},
  ) {
    this.owner = { ws: browser, userRef: owner, role: 'owner', since: new Date(), answered: true };
    this.scrollback = new Scrollback(limits.scrollbackBytes);
  }

  /** Where the session's input, output and resizes are also told (the recorder). */
  observe(observer: RelayObserver) {
    this.observer = observer;
    if (this.lastSize) observer.resize(this.lastSize.cols, this.lastSize.rows);
  }

  onEnd(listener: (end: RelayEnd) => void) {
    if (this.ended) listener(this.ended);
    else this.endListeners.push(listener);
  }

  get isEnded() {
    return !!this.ended;
  }

  /** Whether the owner's browser is away (the session waits for it). */
  get isDetached() {
    return !this.owner && !this.ended;
  }

  get isShared() {
    return this.shared;
  }

  private sendTo(ws: WebSocket | undefined, frame: Frame) {
    if (ws?.readyState === WebSocket.OPEN) ws.send(encodeFrame(frame));
  }

  private send(frame: Frame) {
    this.sendTo(this.owner?.ws, frame);
  }

  private everyone(): Attachment[] {
    return [...(this.owner ? [this.owner] : []), ...(this.watchers ?? [])];
  }

  /** Listens to the browser before the upstream exists, so nothing it sends early is lost. */
  attachBrowser() {
    const owner = this.owner!;
    const pending: Buffer[] = [];
    owner.ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (!isBinary) {
        this.sendTo(owner.ws, { type: 'error', message: 'text frames are not part of the terminal protocol: send binary frames' });
        return;
      }
      if (!this.upstream) pending.push(data);
      else this.fromOwner(owner, data);
    });
    this.listenForOwnerEnd(owner);
    return (upstream: WebSocket) => {
      this.upstream = upstream;
      this.pendingResize = pending.some(d => d[0] === FrameType.resize);
      for (const data of pending.splice(0)) this.fromOwner(owner, data);
    };
  }

  private listenForOwnerEnd(owner: Attachment) {
    owner.ws.on('close', (code: number) => this.ownerGone(owner, code));
    owner.ws.on('error', () => this.ownerGone(owner, 1006));
    owner.ws.on('pong', () => (owner.answered = true));
  }

  /**
   * The owner's socket closed. Closed by its user (1000, or no code): the session ends. Dropped
   * (the network, a reload, a replica between them that stopped): the shell waits for it.
   */
  private ownerGone(owner: Attachment, code: number) {
    if (this.owner !== owner || this.ended) return;
    this.owner = undefined;
    const grace = this.limits.reattachGraceMs;
    if (!DROPPED.has(code) || !grace || !this.armed) {
      this.end('client', code === 1006 ? 'the browser connection failed' : 'the browser closed the terminal');
      return;
    }
    // Nothing is waiting for that browser any more: the shell goes on (its output is kept).
    if (this.upstream?.isPaused) this.upstream.resume();
    clearTimeout(this.graceTimer);
    this.graceTimer = setTimeout(() => this.end('disconnected', `the browser did not come back within ${Math.round(grace / 1000)} s of its connection dropping`), grace);
  }

  /**
   * The owner's browser again (a resume token was redeemed): it takes the place of the one before
   * (which is closed, if it was still there) and is sent what it lacks after `offset` bytes.
   */
  resumeOwner(ws: WebSocket, userRef: string, offset: number, ready: SessionReady) {
    if (this.turnAwayIfEnded(ws)) return;
    clearTimeout(this.graceTimer);
    const before = this.owner;
    const owner: Attachment = { ws, userRef, role: 'owner', since: new Date(), answered: true };
    this.owner = owner;
    if (before) {
      this.sendTo(before.ws, { type: 'error', message: 'this session was opened in another window' });
      before.ws.close(4001, 'taken over');
    }
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (isBinary) this.fromOwner(owner, data);
      else this.sendTo(ws, { type: 'error', message: 'text frames are not part of the terminal protocol: send binary frames' });
    });
    this.listenForOwnerEnd(owner);
    // The screen first, then ready: its outputOffset counts what was just sent.
    this.replay(ws, offset);
    this.sendTo(ws, { type: 'ready', ready: { ...ready, outputOffset: this.scrollback.end } });
    this.sendTo(ws, { type: 'participants', participants: this.participants() });
  }

  /** A browser that comes after the end is told how it ended, and closed. */
  private turnAwayIfEnded(ws: WebSocket): boolean {
    if (!this.ended) return false;
    const { reason, message, exitCode } = this.ended;
    this.sendTo(ws, { type: 'ended', ended: { reason, message, exitCode } });
    ws.close(1000, reason);
    return true;
  }

  /** The kept output a browser lacks; a program on its alternate screen is made to redraw it. */
  private replay(ws: WebSocket, offset: number) {
    const { exact, bytes } = this.scrollback.since(offset);
    if (!exact) this.sendTo(ws, { type: 'stdout', data: Buffer.from('\x1bc') });
    for (const b of bytes) this.sendTo(ws, { type: 'stdout', data: b });
    if (!exact && this.scrollback.alternateScreen && this.lastSize && this.upstream?.readyState === WebSocket.OPEN) {
      // As kubectl attach does: a size change makes the program redraw its screen.
      this.upstream.send(resizeFrame(this.lastSize.cols + 1, this.lastSize.rows));
      this.upstream.send(resizeFrame(this.lastSize.cols, this.lastSize.rows));
    }
  }

  /** A read-only browser on the session, shown its screen, then its output as it comes. */
  addWatcher(ws: WebSocket, userRef: string, role: Exclude<SessionRole, 'owner'>, ready: SessionReady) {
    if (this.turnAwayIfEnded(ws)) return;
    const watcher: Attachment = { ws, userRef, role, since: new Date(), answered: true };
    (this.watchers ??= new Set()).add(watcher);
    ws.on('message', (data: Buffer) => this.fromWatcher(watcher, data));
    const gone = () => {
      if (this.watchers?.delete(watcher) && !this.ended) {
        this.hooks.watcherLeft?.(userRef);
        this.announce();
      }
    };
    ws.on('close', gone);
    ws.on('error', gone);
    ws.on('pong', () => (watcher.answered = true));
    if (this.lastSize) this.sendTo(ws, { type: 'resize', size: this.lastSize });
    this.replay(ws, 0);
    this.sendTo(ws, { type: 'ready', ready: { ...ready, outputOffset: this.scrollback.end } });
    this.announce();
  }

  private participants(): SessionParticipants {
    return { shared: this.shared, watchers: [...(this.watchers ?? [])].map(w => ({ user: w.userRef, role: w.role as 'watcher' | 'moderator', since: w.since.toISOString() })) };
  }

  /** Tells everyone on the session who watches it. */
  private announce() {
    const frame: Frame = { type: 'participants', participants: this.participants() };
    for (const a of this.everyone()) this.sendTo(a.ws, frame);
  }

  /** Who watches now. */
  watching(): string[] {
    return [...(this.watchers ?? [])].map(w => w.userRef);
  }

  /**
   * Runs the session over an open upstream. Resolves once the command runs (it showed something,
   * or it is attached) or the session ended, whichever is first: the session goes on by itself, and
   * onEnd tells its end. Rejects with FailedBeforeOutput when the command failed before showing
   * anything, so the caller may try another.
   */
  run(upstream: WebSocket, ready: SessionReady, attach: { readyAtOnce?: boolean; nudge?: boolean; shellFrom?: (firstOutput: Buffer) => string | undefined } = {}): Promise<void> {
    this.exit = undefined;
    const readyAtOnce = attach.readyAtOnce ?? false;
    const announceReady = () => this.send({ type: 'ready', ready: { ...ready, outputOffset: this.scrollback.end } });
    return new Promise((resolve, reject) => {
      let shown = readyAtOnce;
      if (readyAtOnce) {
        resolve();
        announceReady();
        // As kubectl attach does: a size change makes the attached program redraw its screen.
        if (this.lastSize) {
          upstream.send(resizeFrame(this.lastSize.cols + 1, this.lastSize.rows));
          upstream.send(resizeFrame(this.lastSize.cols, this.lastSize.rows));
        }
        // A shell started for this session printed its prompt before anyone attached: an Enter,
        // which nobody typed yet, makes it print one again (kubectl only says "try pressing enter").
        if (attach.nudge) upstream.send(channelFrame(CHANNEL.stdin, '\r'));
      }
      upstream.on('message', (data: Buffer) => {
        if (data.length === 0) return;
        const channel = data[0];
        const payload = data.subarray(1);
        if (channel === CHANNEL.stdout || channel === CHANNEL.stderr) {
          if (!payload.length) return;
          if (!shown) {
            shown = true;
            // The shell may say which it is in its first output: `ready` (the session's own, kept for reattaches) names it.
            const shell = attach.shellFrom?.(payload);
            if (shell) ready.shell = shell;
            announceReady();
            resolve();
          }
          this.bytesOut += payload.length;
          this.observer?.output(payload);
          this.scrollback.write(payload);
          this.toBrowsers(data);
        } else if (channel === CHANNEL.error) {
          this.exit = readExitStatus(payload);
        }
      });
      upstream.on('close', () => {
        const exit = this.exit;
        if (!shown && exit && 'error' in exit) {
          reject(new FailedBeforeOutput(exit.error));
          return;
        }
        if (!shown) announceReady();
        if (exit && 'exitCode' in exit) this.end('exit', `the shell exited with code ${exit.exitCode}`, exit.exitCode);
        else if (exit) this.end('upstream', `the command failed: ${exit.error}`);
        else this.end('upstream', 'the connection to the cluster closed');
      });
      upstream.on('error', err => this.end('upstream', `the connection to the cluster failed: ${err.message}`));
      this.onEnd(() => resolve());
      this.upstreamAnswered = true;
      upstream.on('pong', () => (this.upstreamAnswered = true));
      // A later attempt (after a missing shell) gets the size the first one was given.
      if (this.lastSize && !this.pendingResize) upstream.send(resizeFrame(this.lastSize.cols, this.lastSize.rows));
      if (!this.armed) {
        this.armed = true;
        this.heartbeat.join(this);
        this.deadlines.since = this.deadlines.lastInputAt = Date.now();
        this.checkDeadlines();
      }
    });
  }

  private fromOwner(owner: Attachment, data: Buffer) {
    if (this.ended || !this.upstream || this.owner !== owner) return;
    let frame: Frame;
    try {
      frame = decodeFrame(data);
    } catch (e) {
      this.sendTo(owner.ws, { type: 'error', message: `ignored a malformed frame: ${(e as Error).message}` });
      return;
    }
    switch (frame.type) {
      case 'stdin': {
        const bytes = data.subarray(1);
        this.bytesIn += bytes.length;
        this.observer?.input(bytes);
        // The browser's frame, a type byte and the bytes, is the cluster's message once its first
        // byte says stdin: it goes on as it came (no copies per keystroke).
        data[0] = CHANNEL.stdin;
        this.toUpstream(data, owner.ws);
        this.deadlines.lastInputAt = Date.now();
        break;
      }
      case 'resize':
        if (frame.size.cols < 1 || frame.size.rows < 1) {
          this.sendTo(owner.ws, { type: 'error', message: `ignored a resize to ${frame.size.cols}x${frame.size.rows}` });
          return;
        }
        this.lastSize = frame.size;
        this.observer?.resize(frame.size.cols, frame.size.rows);
        this.toUpstream(resizeFrame(frame.size.cols, frame.size.rows), owner.ws);
        for (const w of this.watchers ?? []) this.sendTo(w.ws, { type: 'resize', size: frame.size });
        break;
      case 'ping':
        this.sendTo(owner.ws, { type: 'pong', data: frame.data });
        break;
      case 'pong':
        break;
      case 'control':
        this.control(owner, frame.control);
        break;
      default:
        this.sendTo(owner.ws, { type: 'error', message: `the browser may not send ${frame.type} frames` });
    }
  }

  private fromWatcher(watcher: Attachment, data: Buffer) {
    if (this.ended) return;
    let frame: Frame;
    try {
      frame = decodeFrame(data);
    } catch (e) {
      this.sendTo(watcher.ws, { type: 'error', message: `ignored a malformed frame: ${(e as Error).message}` });
      return;
    }
    if (frame.type === 'ping') this.sendTo(watcher.ws, { type: 'pong', data: frame.data });
    else if (frame.type === 'control') this.control(watcher, frame.control);
    else if (frame.type === 'stdin') this.sendTo(watcher.ws, { type: 'error', message: 'you are watching this session: it is read-only' });
    // A watcher's own size is its own: the session keeps its owner's.
  }

  /** Sharing (the owner's) and ending the session (a moderator's). */
  private control(from: Attachment, control: SessionControl) {
    if (control.action === 'terminate') {
      if (from.role !== 'moderator') {
        this.sendTo(from.ws, { type: 'error', message: from.role === 'owner' ? 'close the terminal to end your own session' : 'only a platform admin (kube-troubleshoot.sessions.terminate) may end this session' });
        return;
      }
      this.hooks.terminated?.(from.userRef);
      this.end('terminated', `ended by ${from.userRef}`);
      return;
    }
    if (from.role !== 'owner') {
      this.sendTo(from.ws, { type: 'error', message: 'only the session\'s owner may share it' });
      return;
    }
    const shared = control.action === 'share';
    if (shared === this.shared) return;
    this.shared = shared;
    this.hooks.shared?.(shared);
    if (!shared) {
      // Stopping sharing sends the watchers away.
      for (const w of [...(this.watchers ?? [])]) {
        this.sendTo(w.ws, { type: 'ended', ended: { reason: 'client', message: `${from.userRef} stopped sharing this session` } });
        w.ws.close(1000, 'unshared');
        this.watchers?.delete(w);
        this.hooks.watcherLeft?.(w.userRef);
      }
    }
    this.announce();
  }

  /**
   * Output to the browsers; the upstream pauses while too much waits for the owner's. The
   * cluster's message, a channel byte and the bytes, is the browser's frame once its first byte says
   * stdout: it goes on as it came, not copied (`cat` of a big file is hundreds of MB). A watcher
   * that falls that far behind is dropped rather than slowing the owner down.
   */
  private toBrowsers(message: Buffer) {
    message[0] = FrameType.stdout;
    if (this.owner) this.forward(this.owner.ws, message, this.upstream);
    for (const w of this.watchers ?? []) {
      if (w.ws.bufferedAmount > this.limits.bufferBytes) {
        this.sendTo(w.ws, { type: 'error', message: 'your connection is too slow to follow this session' });
        w.ws.terminate();
        continue;
      }
      if (w.ws.readyState === WebSocket.OPEN) w.ws.send(message);
    }
  }

  /** Input to the cluster; the browser pauses while too much waits for the cluster. */
  private toUpstream(frame: Buffer, source: WebSocket) {
    if (this.upstream) this.forward(this.upstream, frame, source);
  }

  private forward(target: WebSocket, data: Buffer, source: WebSocket | undefined) {
    if (target.readyState !== WebSocket.OPEN) return;
    target.send(data, () => {
      if (source && source.isPaused && target.bufferedAmount <= this.limits.bufferBytes / 2) source.resume();
    });
    if (source && !source.isPaused && target.bufferedAmount > this.limits.bufferBytes) source.pause();
  }

  /** Every heartbeat: a side that did not answer the last ping is gone; every side is pinged again. */
  beat() {
    if (this.ended) return;
    const upstream = this.upstream?.readyState === WebSocket.OPEN ? this.upstream : undefined;
    if (upstream && !this.upstreamAnswered) {
      this.end('upstream', 'the cluster stopped answering');
      upstream.terminate();
      return;
    }
    for (const a of this.everyone()) {
      // A browser that stopped answering dropped (its close event follows, as 1006).
      if (!a.answered) {
        a.ws.terminate();
        continue;
      }
      if (a.ws.readyState === WebSocket.OPEN) {
        a.answered = false;
        a.ws.ping();
      }
    }
    if (upstream) {
      this.upstreamAnswered = false;
      upstream.ping();
    }
  }

  /** The idle and maximum-duration limits: acts on what is due, then sleeps until the next. */
  private checkDeadlines() {
    if (this.ended) return;
    const due = nextDeadline(this.deadlines, this.limits, Date.now());
    const secondsLeft = Math.round(this.limits.warnBeforeMs / 1000);
    switch (due.act) {
      case 'end':
        if (due.limit === 'idle') this.end('idle', `the session was idle for ${Math.round(this.limits.idleTimeoutMs / 1000)} s`);
        else this.end('max-duration', `the session reached its maximum duration (${Math.round(this.limits.maxDurationMs / 1000)} s)`);
        return;
      case 'warn':
        if (due.limit === 'idle') {
          this.deadlines.idleWarnedFor = this.deadlines.lastInputAt;
          this.send({ type: 'notice', notice: { kind: 'idle', secondsLeft, message: `No input for a while: this session closes in ${secondsLeft} s unless you type.` } });
        } else {
          this.deadlines.maxWarned = true;
          this.send({ type: 'notice', notice: { kind: 'max-duration', secondsLeft, message: `This session reaches its maximum duration and closes in ${secondsLeft} s.` } });
        }
        this.checkDeadlines();
        return;
      case 'wait':
        this.deadlineTimer = setTimeout(() => this.checkDeadlines(), due.ms);
        return;
      default: // no limit: nothing to wait for
    }
  }

  /** Ends the session once: tells its browsers why, closes every side. */
  end(reason: SessionEndReason, message: string, exitCode?: number) {
    if (this.ended) return;
    this.ended = { reason, message, exitCode, bytesIn: this.bytesIn, bytesOut: this.bytesOut, durationMs: Date.now() - this.startedAt };
    clearTimeout(this.deadlineTimer);
    clearTimeout(this.graceTimer);
    this.heartbeat.leave(this);
    for (const a of this.everyone()) {
      this.sendTo(a.ws, { type: 'ended', ended: { reason, message, exitCode } });
      if (a.ws.readyState === WebSocket.OPEN) a.ws.close(1000, reason);
    }
    const upstream = this.upstream;
    if (upstream && upstream.readyState === WebSocket.OPEN) {
      // Closing the exec ends the process: the kubelet hangs up its terminal.
      upstream.close(1000);
      // A cluster that never answers the close is cut; one that does frees the session at once.
      const cut = setTimeout(() => upstream.terminate(), 2000).unref();
      upstream.once('close', () => clearTimeout(cut));
    }
    for (const l of this.endListeners.splice(0)) l(this.ended);
  }
}
