import WebSocket from 'ws';
import { decodeFrame, encodeFrame, Frame, FrameType, SessionEndReason, SessionReady } from '@kube-troubleshoot/backstage-plugin-common';
import { CHANNEL, channelFrame, ExitResult, readExitStatus, resizeFrame } from '../clusters/channelProtocol';
import { DeadlineState, nextDeadline } from './deadlines';
import { Heartbeat, HeartbeatMember } from './Heartbeat';

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

/**
 * One terminal session's relay between the browser's WebSocket (the common frame protocol) and the
 * cluster's exec or attach (channel.k8s.io v4/v5): input, output, resize, exit status, heartbeats,
 * idle and maximum duration, and backpressure both ways (a side with too much queued towards it
 * pauses the other). Ends once, with a reason the user is shown.
 *
 * An idle session holds little: one timer for its limits, a place in the replica's heartbeat, and
 * its two sockets (a replica is meant to hold thousands).
 */
export class TerminalRelay implements HeartbeatMember {
  private readonly startedAt = Date.now();
  private bytesIn = 0;
  private bytesOut = 0;
  private ended?: RelayEnd;
  private exit?: ExitResult;
  private deadlineTimer?: NodeJS.Timeout;
  private readonly deadlines: DeadlineState = { since: 0, lastInputAt: 0, idleWarnedFor: -1, maxWarned: false };
  /** Whether each side answered the last ping. */
  private browserAnswered = true;
  private upstreamAnswered = true;
  private upstream?: WebSocket;
  private armed = false;
  /** The browser's first frames (waiting for the upstream) include a resize. */
  private pendingResize = false;
  private readonly endListeners: Array<(end: RelayEnd) => void> = [];

  private observer?: RelayObserver;
  private lastSize?: { cols: number; rows: number };

  constructor(
    private readonly browser: WebSocket,
    private readonly limits: RelayLimits,
    private readonly heartbeat: Heartbeat,
  ) {}

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

  private send(frame: Frame) {
    if (this.browser.readyState === WebSocket.OPEN) this.browser.send(encodeFrame(frame));
  }

  /** Listens to the browser before the upstream exists, so nothing it sends early is lost. */
  attachBrowser() {
    const pending: Buffer[] = [];
    this.browser.on('message', (data: Buffer, isBinary: boolean) => {
      if (!isBinary) {
        this.send({ type: 'error', message: 'text frames are not part of the terminal protocol: send binary frames' });
        return;
      }
      if (!this.upstream) pending.push(data);
      else this.fromBrowser(data);
    });
    this.browser.on('close', () => this.end('client', 'the browser closed the terminal'));
    this.browser.on('error', () => this.end('client', 'the browser connection failed'));
    return (upstream: WebSocket) => {
      this.upstream = upstream;
      this.pendingResize = pending.some(d => d[0] === FrameType.resize);
      for (const data of pending.splice(0)) this.fromBrowser(data);
    };
  }

  /**
   * Runs the session over an open upstream. Resolves once the command runs (it showed something,
   * or it is attached) or the session ended, whichever is first: the session goes on by itself, and
   * onEnd tells its end. Rejects with FailedBeforeOutput when the command failed before showing
   * anything, so the caller may try another.
   */
  run(upstream: WebSocket, ready: SessionReady, attach: { readyAtOnce?: boolean; nudge?: boolean } = {}): Promise<void> {
    this.exit = undefined;
    const readyAtOnce = attach.readyAtOnce ?? false;
    return new Promise((resolve, reject) => {
      let shown = readyAtOnce;
      if (readyAtOnce) {
        resolve();
        this.send({ type: 'ready', ready });
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
            this.send({ type: 'ready', ready });
            resolve();
          }
          this.bytesOut += payload.length;
          this.observer?.output(payload);
          this.toBrowser(data);
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
        if (!shown) this.send({ type: 'ready', ready });
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
        this.browser.on('pong', () => (this.browserAnswered = true));
        this.heartbeat.join(this);
        this.deadlines.since = this.deadlines.lastInputAt = Date.now();
        this.checkDeadlines();
      }
    });
  }

  private fromBrowser(data: Buffer) {
    if (this.ended || !this.upstream) return;
    let frame: Frame;
    try {
      frame = decodeFrame(data);
    } catch (e) {
      this.send({ type: 'error', message: `ignored a malformed frame: ${(e as Error).message}` });
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
        this.toUpstream(data);
        this.deadlines.lastInputAt = Date.now();
        break;
      }
      case 'resize':
        if (frame.size.cols < 1 || frame.size.rows < 1) {
          this.send({ type: 'error', message: `ignored a resize to ${frame.size.cols}x${frame.size.rows}` });
          return;
        }
        this.lastSize = frame.size;
        this.observer?.resize(frame.size.cols, frame.size.rows);
        this.toUpstream(resizeFrame(frame.size.cols, frame.size.rows));
        break;
      case 'ping':
        this.send({ type: 'pong', data: frame.data });
        break;
      case 'pong':
        break;
      default:
        this.send({ type: 'error', message: `the browser may not send ${frame.type} frames` });
    }
  }

  /**
   * Output to the browser; the upstream pauses while too much waits for a slow browser. The
   * cluster's message, a channel byte and the bytes, is the browser's frame once its first byte says
   * stdout: it goes on as it came, not copied (`cat` of a big file is hundreds of MB).
   */
  private toBrowser(message: Buffer) {
    message[0] = FrameType.stdout;
    this.forward(this.browser, message, this.upstream);
  }

  /** Input to the cluster; the browser pauses while too much waits for the cluster. */
  private toUpstream(frame: Buffer) {
    if (this.upstream) this.forward(this.upstream, frame, this.browser);
  }

  private forward(target: WebSocket, data: Buffer, source: WebSocket | undefined) {
    if (target.readyState !== WebSocket.OPEN) return;
    target.send(data, () => {
      if (source && source.isPaused && target.bufferedAmount <= this.limits.bufferBytes / 2) source.resume();
    });
    if (source && !source.isPaused && target.bufferedAmount > this.limits.bufferBytes) source.pause();
  }

  /** Every heartbeat: a side that did not answer the last ping is gone; both are pinged again. */
  beat() {
    if (this.ended) return;
    const upstream = this.upstream?.readyState === WebSocket.OPEN ? this.upstream : undefined;
    if (!this.browserAnswered) {
      this.end('client', 'the browser stopped answering');
      this.browser.terminate();
      return;
    }
    if (upstream && !this.upstreamAnswered) {
      this.end('upstream', 'the cluster stopped answering');
      upstream.terminate();
      return;
    }
    if (this.browser.readyState === WebSocket.OPEN) {
      this.browserAnswered = false;
      this.browser.ping();
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

  /** Ends the session once: tells the browser why, closes both sides. */
  end(reason: SessionEndReason, message: string, exitCode?: number) {
    if (this.ended) return;
    this.ended = { reason, message, exitCode, bytesIn: this.bytesIn, bytesOut: this.bytesOut, durationMs: Date.now() - this.startedAt };
    clearTimeout(this.deadlineTimer);
    this.heartbeat.leave(this);
    this.send({ type: 'ended', ended: { reason, message, exitCode } });
    if (this.browser.readyState === WebSocket.OPEN) this.browser.close(1000, reason);
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
