import { randomBytes } from 'node:crypto';
import { AuditorService, HttpAuthService, LoggerService } from '@backstage/backend-plugin-api';
import { AuthenticationError, ConflictError, InputError, NotAllowedError, NotFoundError, ServiceUnavailableError } from '@backstage/errors';
import type { Request } from 'express';
import WebSocket from 'ws';
import {
  ATTACH_PROTOCOL_PREFIX,
  BEARER_PROTOCOL_PREFIX,
  CreateSessionResponse,
  LiveSessionSummary,
  SessionReady,
  SessionRole,
  TERMINAL_PROTOCOL,
  TICKET_PROTOCOL_PREFIX,
  WatchSessionResponse,
} from '@kube-troubleshoot/backstage-plugin-common';
import { ClusterRegistry } from '../clusters/ClusterRegistry';
import { RecordingStore } from '../audit/RecordingStore';
import { SessionRecorder } from '../audit/SessionRecorder';
import { CommandIndexer } from '../audit/commandIndex';
import { announcedShell, isMissingExecutable, NO_SHELL_MESSAGE, ShellAttempt, shellAttempts } from '../shell/shellCommand';
import { SessionConfig } from './sessionConfig';
import { FailedBeforeOutput, RelayEnd, TerminalRelay } from './TerminalRelay';
import { Heartbeat } from './Heartbeat';
import { SessionTarget, SessionTickets, SessionUser } from '../targets/sessionTarget';
import { TicketStore } from './TicketStore';
import { LedgerSession, REPLICA_HEARTBEAT_MS, SessionLedger } from './SessionLedger';
import { AttachTokens } from './AttachTokens';
import { UPSTREAM_PROTOCOLS } from '../clusters/channelProtocol';
import { RequestAudit } from '../http/RequestAudit';
import { statusOf, StatusError } from '../http/errors';
import { ConnectResult, UpgradeAttempt } from './upgradeListener';

/** Refused because a limit is reached (HTTP 429). */
export class SessionLimitError extends StatusError {
  constructor(message: string) {
    super(429, message, 'TooManyRequestsError');
  }
}


/** The session ran out from under a browser coming back to it (ended, or its replica stopped). */
export class SessionGoneError extends StatusError {
  constructor(message: string, readonly reason: 'lost' | 'upstream' = 'upstream') {
    super(410, message, 'GoneError');
  }
}

/** Called when a session ended and was recorded: a Debug-tab copy is deleted then. */
export type SessionEndHook = (target: SessionTarget, user: SessionUser) => Promise<void>;

interface ActiveSession {
  /** The ticket's id: the session's row in the ledger. */
  id: string;
  /** The session's own id (what a resume or a watcher attaches to). */
  sessionId: string;
  userRef: string;
  relay: TerminalRelay;
  target: SessionTarget;
  /** What the owner was told once the shell ran: a reattach and a watcher are told it again. */
  ready?: SessionReady;
  recorder?: SessionRecorder;
  /** Everyone who watched, in the order they first joined (the recording keeps them). */
  watchedBy: string[];
  /** The moderators' upgrade requests, so the end they cause is audited as theirs. */
  moderators: Map<string, Request>;
}

/** An owner's resume token lives as long as the session may (it is spent by its first use). */
const RESUME_TOKEN_TTL_SECONDS = 7 * 86400;

export const SESSION_WS_PATH = '/sessions/ws';

/**
 * Terminal sessions of this replica: issues tickets (after the router's checks), accepts the
 * WebSocket that redeems one, runs the shell upstream through a TerminalRelay, records and audits it.
 * The limits count the ledger (every replica's sessions), not this replica's memory: a ticket may be
 * issued by one replica and redeemed by another.
 */
export class SessionManager implements SessionTickets {
  private readonly active = new Set<ActiveSession>();
  private readonly bySession = new Map<string, ActiveSession>();
  /** Sessions not yet recorded and audited, and who waits for none to be left (shutdown). */
  private unfinished = 0;
  private drained?: () => void;
  private shuttingDown = false;
  /** The WebSocket pings of every session here, on one timer (made with the first session). */
  private pings?: Heartbeat;

  constructor(
    private readonly deps: {
      tickets: TicketStore;
      attachTokens: AttachTokens;
      ledger: SessionLedger;
      recordings: RecordingStore;
      clusters: ClusterRegistry;
      auditor: AuditorService;
      httpAuth: HttpAuthService;
      logger: LoggerService;
      config: SessionConfig;
      /** Origins that may open session WebSockets (the app's). */
      allowedOrigins: string[];
    },
  ) {}

  private readonly endHooks: SessionEndHook[] = [];

  /** Runs `hook` after every session's end (the debug service deletes a session's pod copy). */
  onSessionEnd(hook: SessionEndHook) {
    this.endHooks.push(hook);
  }

  /** Upgrades between their redeem and their WebSocket: they count as open here already. */
  private accepting = 0;
  private ledgerTimer?: NodeJS.Timeout;

  /** Sessions this replica serves now (and upgrades about to). */
  get openHere(): number {
    return this.active.size + this.accepting;
  }

  /** Joins the ledger and keeps this replica's lease; every minute, corrects what it could not write. */
  async start() {
    const { ledger, logger } = this.deps;
    await ledger.beat();
    let beats = 0;
    this.ledgerTimer = setInterval(() => {
      beats += 1;
      const reconcile = beats % 12 === 0 ? ledger.reconcile([...this.active].map(s => s.id)) : Promise.resolve(0);
      Promise.all([ledger.beat(), reconcile]).catch(e => logger.warn(`session ledger: ${(e as Error).message}`));
    }, REPLICA_HEARTBEAT_MS);
    this.ledgerTimer.unref();
  }

  /** Issues a ticket once the limits allow one more session for this user. */
  async issue(userRef: string, target: SessionTarget, basePath: string): Promise<CreateSessionResponse> {
    const { maxPerUser, maxPerReplica, ticketTtlSeconds } = this.deps.config;
    const { ledger, tickets } = this.deps;
    if (this.shuttingDown) throw new ServiceUnavailableError('the backend is shutting down: try again in a moment');
    if (maxPerReplica) {
      // The session opens on whichever replica the WebSocket reaches: refused only when none has room.
      const loads = await ledger.replicaLoads();
      loads.set(ledger.replicaId, this.openHere);
      if ([...loads.values()].every(n => n >= maxPerReplica)) {
        throw new SessionLimitError(
          loads.size === 1
            ? `this backend already serves ${this.openHere} terminal sessions (kubeTroubleshoot.sessions.maxPerReplica = ${maxPerReplica})`
            : `every backend replica (${loads.size}) already serves ${maxPerReplica} terminal sessions or more (kubeTroubleshoot.sessions.maxPerReplica = ${maxPerReplica})`,
        );
      }
    }
    const issued = await tickets.issue(userRef, target, ticketTtlSeconds);
    if (maxPerUser) {
      // Counted after the ticket is in, so parallel requests on any replicas never pass the limit together.
      const open = await ledger.openCount(userRef).catch(async e => {
        await tickets.withdraw(issued.ticket);
        throw e;
      });
      if (open > maxPerUser) {
        await tickets.withdraw(issued.ticket);
        throw new SessionLimitError(`you already have ${open - 1} open terminal sessions (kubeTroubleshoot.sessions.maxPerUser = ${maxPerUser}): close one first`);
      }
    }
    const { ticket, expiresAt } = issued;
    return {
      ticket,
      expiresAt: expiresAt.toISOString(),
      path: `${basePath}${SESSION_WS_PATH}`,
      protocols: [TERMINAL_PROTOCOL, `${TICKET_PROTOCOL_PREFIX}${ticket}`],
      production: this.deps.clusters.config(target.cluster).production,
    };
  }

  /**
   * Decides a WebSocket upgrade: the Origin must be the app's, the ticket valid and unused, and the
   * Backstage token the ticket's user's. A refusal is audited (never with the ticket's value) and
   * opens nothing upstream; an acceptance starts the session once the WebSocket is open.
   */
  async connect(attempt: UpgradeAttempt): Promise<ConnectResult> {
    let request = attempt.request(undefined);
    let actor = 'unknown';
    try {
      // Who asks comes first, so even a refusal for another reason names them.
      let userRef: string | undefined;
      let tokenProblem: Error | undefined;
      if (attempt.token) {
        const withToken = attempt.request(attempt.token);
        try {
          userRef = (await this.deps.httpAuth.credentials(withToken, { allow: ['user'] })).principal.userEntityRef;
          request = withToken;
          actor = userRef;
        } catch (e) {
          tokenProblem = new AuthenticationError(`the Backstage token is not valid: ${(e as Error).message}; sign in again`);
        }
      }
      if (attempt.notAHandshake) throw new InputError(`not a WebSocket handshake: ${attempt.notAHandshake}`);
      if (!attempt.origin || !this.deps.allowedOrigins.includes(attempt.origin)) {
        throw new NotAllowedError(`the origin ${attempt.origin ?? '(none)'} may not open terminal sessions; allowed: ${this.deps.allowedOrigins.join(', ')}`);
      }
      if (!attempt.ticket && !attempt.attach) {
        throw new AuthenticationError(
          `a session ticket is required: offer the subprotocols ${TERMINAL_PROTOCOL} and ${TICKET_PROTOCOL_PREFIX}<ticket> from POST .../sessions (or ${ATTACH_PROTOCOL_PREFIX}<token> to attach to a running session)`,
        );
      }
      if (tokenProblem) throw tokenProblem;
      if (!userRef) {
        throw new AuthenticationError(`your Backstage token is required: offer the subprotocol ${BEARER_PROTOCOL_PREFIX}<base64url token> beside the ticket`);
      }
      if (this.shuttingDown) throw new ServiceUnavailableError('the backend is shutting down: try again in a moment');
      if (!attempt.ticket) return await this.attachTo(attempt, attempt.attach!, userRef, request);
      // This replica's own limit, before the ticket is spent: through the load balancer, a retry may reach another.
      const { maxPerReplica } = this.deps.config;
      if (maxPerReplica && this.openHere >= maxPerReplica) {
        throw new ServiceUnavailableError(`this backend replica already serves ${this.openHere} terminal sessions (kubeTroubleshoot.sessions.maxPerReplica = ${maxPerReplica}); the ticket is still valid`);
      }
      // Counted as open here from the redeem until the WebSocket is the session's (or fails).
      this.accepting += 1;
      let settled = false;
      const settle = () => {
        if (!settled) this.accepting -= 1;
        settled = true;
      };
      const redeemed = await this.deps.tickets.redeem(attempt.ticket, userRef, this.deps.ledger.replicaId).catch(e => {
        settle();
        throw e;
      });
      if (!redeemed.ok) {
        settle();
        if (redeemed.otherUser) throw new NotAllowedError(`terminal session refused: ${redeemed.reason}`);
        throw new AuthenticationError(`terminal session refused: ${redeemed.reason}`);
      }
      const { target, id, sessionId } = redeemed;
      const user: SessionUser = { userRef, request };
      return {
        ok: true,
        abandon: () => {
          // The handshake failed after the redeem: the session never opened.
          settle();
          this.markEnded(id);
        },
        accept: (ws: WebSocket) => {
          // The browser is listened to at once (its first resize, or an early close, is not lost),
          // and the session counts as open before anything is awaited.
          settle();
          this.pings ??= new Heartbeat(this.deps.config.limits.heartbeatMs);
          const session: ActiveSession = { id, sessionId, userRef, target, relay: undefined as unknown as TerminalRelay, watchedBy: [], moderators: new Map() };
          const relay = new TerminalRelay(ws, this.deps.config.limits, this.pings, userRef, this.relayHooks(session, user));
          session.relay = relay;
          this.active.add(session);
          this.bySession.set(sessionId, session);
          relay.onEnd(() => this.markEnded(id));
          const connect = relay.attachBrowser();
          this.unfinished += 1;
          void this.run(session, connect, user).then(finish => this.finishAtEnd(session, finish));
        },
      };
    } catch (error) {
      const audit = new RequestAudit(this.deps.auditor, this.deps.logger, {
        eventId: 'session-connect',
        request,
        actor,
        meta: { origin: attempt.origin ?? null, ticketPresent: Boolean(attempt.ticket), tokenPresent: Boolean(attempt.token) },
      });
      await audit.fail(error);
      // A browser cannot read a refused upgrade: one coming back to a session that is gone is told so in a frame.
      if (error instanceof SessionGoneError) return { ok: 'end', ended: { reason: error.reason, message: error.message } };
      return { ok: false, status: statusOf(error), message: (error as Error).message };
    }
  }

  /**
   * The session runs by itself once its shell does: its end records and audits it. Nothing waits
   * for an idle session meanwhile (no promise, no suspended call: a replica holds thousands).
   */
  private finishAtEnd(session: ActiveSession, finish: (end: RelayEnd) => Promise<void>) {
    session.relay.onEnd(end => {
      void finish(end)
        .catch(e => this.deps.logger.error(`terminal session: ${(e as Error).message}`))
        .finally(() => {
          this.active.delete(session);
          this.bySession.delete(session.sessionId);
          if (--this.unfinished === 0) this.drained?.();
        });
    });
  }

  /** The ledger learns the end at once: the user may open another session right away. */
  private markEnded(id: string) {
    this.deps.ledger.ended(id).catch(e => this.deps.logger.warn(`session ledger: could not mark a session ended (corrected within a minute): ${(e as Error).message}`));
  }

  /**
   * Opens the session's audit event, recording and shell. Resolves, once the shell runs or the
   * session ended, with what to do at its end (record, audit): nothing waits in here while it runs.
   * Never rejects: a failure ends the session, whose end is then finished as any other.
   */
  private async run(session: ActiveSession, connect: (upstream: WebSocket) => void, user: SessionUser): Promise<(end: RelayEnd) => Promise<void>> {
    const { relay } = session;
    try {
      return await this.open(session, connect, user);
    } catch (e) {
      relay.end('upstream', `the session failed: ${(e as Error).message}`);
      this.deps.logger.error(`terminal session failed: ${(e as Error).message}`);
      return async () => undefined;
    }
  }

  private async open(session: ActiveSession, connect: (upstream: WebSocket) => void, user: SessionUser): Promise<(end: RelayEnd) => Promise<void>> {
    const { relay, target, sessionId } = session;
    const { userRef } = user;
    const { config, clusters, auditor, logger, recordings, attachTokens } = this.deps;
    const production = clusters.config(target.cluster).production;
    // The shell marks its commands with this for the command index (a debug container's own shell
    // is not ours to instrument: its index comes from what is typed).
    const nonce = target.attach ? undefined : randomBytes(12).toString('base64url');
    // A debug container runs its own shell: the session attaches to it instead of exec'ing one.
    const attempts: ShellAttempt[] = target.attach
      ? [{ command: [], label: `debug container ${target.container}` }]
      : shellAttempts(production ? config.production : undefined, undefined, nonce);
    const startedAt = Date.now();
    const meta = { sessionId, entityRef: target.entityRef, cluster: target.cluster, namespace: target.namespace, pod: target.pod, container: target.container, production };
    // The event opens first: a session that cannot even be recorded is audited as failed.
    const audit = new RequestAudit(auditor, logger, {
      eventId: target.kind === 'debug' ? 'debug-session' : 'terminal-session',
      request: user.request,
      actor: userRef,
      severity: production ? 'high' : 'medium',
      meta,
    });
    await audit.begin();
    let recorder: SessionRecorder | undefined;
    if (config.recordings.enabled && !relay.isEnded) {
      try {
        const id = await recordings.create({
          kind: target.kind,
          userRef,
          entityRef: target.entityRef,
          cluster: target.cluster,
          namespace: target.namespace,
          pod: target.pod,
          container: target.container,
          command: attempts[0].label,
          production,
          replicaId: this.deps.ledger.replicaId,
          header: { version: 2, width: 80, height: 24, timestamp: Math.floor(startedAt / 1000), title: `${target.pod}/${target.container}`, env: { TERM: 'xterm-256color' } },
        });
        const indexer = new CommandIndexer(nonce, { typedLines: config.recordings.input });
        recorder = new SessionRecorder(recordings, id, startedAt, logger, undefined, undefined, config.recordings.input, indexer);
        relay.observe(recorder);
        session.recorder = recorder;
        audit.note({ recordingId: id });
      } catch (e) {
        // Recordings are promised: no recording, no session.
        relay.end('upstream', `the session cannot be recorded: ${(e as Error).message}`);
        await audit.fail(e);
        await this.afterEnd(target, user);
        return async () => undefined;
      }
    }
    const ready = (label: string, resumeToken: string | undefined): SessionReady => ({
      shell: label,
      sessionId,
      role: 'owner',
      owner: userRef,
      resumeToken,
      reattachGraceSeconds: config.limits.reattachGraceMs / 1000,
      production,
      recordingId: recorder?.id,
      idleTimeoutSeconds: config.limits.idleTimeoutMs / 1000,
      maxDurationSeconds: config.limits.maxDurationMs / 1000,
    });
    try {
      // The owner's way back after a dropped socket, before the shell is even shown.
      const resume = config.limits.reattachGraceMs ? (await attachTokens.issue(sessionId, userRef, 'owner', RESUME_TOKEN_TTL_SECONDS)).token : undefined;
      const client = clusters.get(target.cluster);
      const path = `/api/v1/namespaces/${encodeURIComponent(target.namespace)}/pods/${encodeURIComponent(target.pod)}/${target.attach ? 'attach' : 'exec'}`;
      for (const [i, attempt] of attempts.entries()) {
        if (relay.isEnded) break;
        const query = new URLSearchParams({ container: target.container, stdin: 'true', stdout: 'true', tty: 'true' });
        for (const part of attempt.command) query.append('command', part);
        let upstream: WebSocket;
        try {
          upstream = await client.openWebSocket(path, query, UPSTREAM_PROTOCOLS);
        } catch (e) {
          relay.end('upstream', (e as Error).message);
          break;
        }
        if (relay.isEnded) {
          upstream.close();
          break;
        }
        connect(upstream);
        try {
          // An attached shell printed its prompt before we came: the session is ready at once.
          session.ready = ready(attempt.label, resume);
          const shellFrom = (out: Buffer) => {
            const shell = announcedShell(out);
            return shell && attempt.named ? attempt.named(shell) : undefined;
          };
          await relay.run(upstream, session.ready, { readyAtOnce: Boolean(target.attach), nudge: Boolean(target.attach && target.fresh), shellFrom });
          break;
        } catch (e) {
          if (!(e instanceof FailedBeforeOutput)) throw e;
          if (!isMissingExecutable(e.message)) relay.end('upstream', `the shell could not start: ${e.message}`);
          else if (i === attempts.length - 1) relay.end('no-shell', NO_SHELL_MESSAGE);
        }
      }
    } catch (e) {
      relay.end('upstream', `the session failed: ${(e as Error).message}`);
    }
    return end => this.finish(end, audit, session, user);
  }

  /** After the end: the recording closed, the end hooks run, the audit event closed with the outcome. */
  private async finish(end: RelayEnd, audit: RequestAudit, session: ActiveSession, user: SessionUser) {
    const { recordings, logger, attachTokens } = this.deps;
    const { recorder, target } = session;
    await attachTokens.forget(session.sessionId).catch(e => logger.warn(`session ${session.sessionId}: its attach tokens stay until the next purge: ${(e as Error).message}`));
    if (recorder) {
      await recorder.close(end.reason === 'exit' ? end.exitCode : undefined);
      await recordings.finish(recorder.id, { ...end, watchers: session.watchedBy }).catch(e => logger.error(`recording ${recorder.id}: ${(e as Error).message}`));
    }
    await this.afterEnd(target, user);
    const summary = {
      endReason: end.reason,
      exitCode: end.exitCode ?? null,
      durationMs: end.durationMs,
      bytesIn: end.bytesIn,
      bytesOut: end.bytesOut,
      recordingId: recorder?.id ?? null,
      watchers: session.watchedBy,
      ...(end.reason === 'terminated' ? { terminatedBy: end.message.replace(/^ended by /, '') } : {}),
    };
    if (end.reason === 'upstream' || end.reason === 'no-shell') await audit.fail(new StatusError(502, end.message, 'SessionFailedError'), summary);
    else await audit.succeed(summary);
  }

  /** What the relay tells its session: sharing goes to the ledger, moderation and leaving to the audit log and the recording. */
  private relayHooks(session: ActiveSession, owner: SessionUser) {
    const { ledger, logger, auditor } = this.deps;
    const audit = (eventId: string, request: Request | undefined, actor: string, meta: Record<string, string | boolean>) =>
      new RequestAudit(auditor, logger, {
        eventId,
        request,
        actor,
        severity: 'medium',
        meta: { sessionId: session.sessionId, owner: session.userRef, entityRef: session.target.entityRef, cluster: session.target.cluster, pod: session.target.pod, container: session.target.container, ...meta },
      }).succeed();
    return {
      shared: (shared: boolean) => {
        session.recorder?.marker(shared ? `${session.userRef} shared the session` : `${session.userRef} stopped sharing the session`);
        ledger.share(session.sessionId, shared).catch(e => logger.warn(`session ${session.sessionId}: sharing was not stored: ${(e as Error).message}`));
        void audit('session-share', owner.request, session.userRef, { shared });
      },
      terminated: (by: string) => {
        session.recorder?.marker(`${by} ended the session`);
        void audit('session-terminate', session.moderators.get(by), by, {});
      },
      watcherLeft: (userRef: string) => session.recorder?.marker(`${userRef} stopped watching`),
    };
  }

  /**
   * An attach token's upgrade: the owner back after a dropped socket, or a watcher. The session
   * may run on another replica: the upgrade is then passed there, which checks it all again.
   */
  private async attachTo(attempt: UpgradeAttempt, token: string, userRef: string, request: Request): Promise<ConnectResult> {
    const { attachTokens, ledger } = this.deps;
    const sessionId = await attachTokens.sessionOf(token);
    if (!sessionId) {
      const why = await attachTokens.redeem(token, userRef);
      throw new AuthenticationError(`cannot attach to the session: ${why.ok ? 'the attach token is unknown' : why.reason}`);
    }
    const session = this.bySession.get(sessionId);
    if (!session) {
      const where = await ledger.session(sessionId);
      if (!where || where.replicaId === ledger.replicaId) throw new SessionGoneError('the session ended: open a new terminal');
      if (!where.replicaUrl) throw new SessionGoneError('the backend replica that ran this session stopped, and the shell ended with it: open a new terminal', 'lost');
      if (attempt.forwarded) throw new SessionGoneError('the session is not on the replica it was forwarded to: it ended or moved');
      return { ok: 'forward', to: where.replicaUrl, via: ledger.replicaId };
    }
    if (session.relay.isEnded) throw new SessionGoneError('the session ended: open a new terminal');
    const base = session.ready;
    if (!base) throw new ConflictError('the session is still starting: attach again in a moment');
    const redeemed = await attachTokens.redeem(token, userRef);
    if (!redeemed.ok) {
      if (redeemed.otherUser) throw new NotAllowedError(`cannot attach to the session: ${redeemed.reason}`);
      throw new AuthenticationError(`cannot attach to the session: ${redeemed.reason}`);
    }
    const { role } = redeemed;
    if (role === 'owner') {
      if (session.userRef !== userRef) throw new NotAllowedError('only the session\'s owner may take it up again');
      const next = await attachTokens.issue(sessionId, userRef, 'owner', RESUME_TOKEN_TTL_SECONDS);
      return {
        ok: true,
        abandon: () => undefined,
        accept: ws => {
          session.relay.resumeOwner(ws, userRef, attempt.offset ?? 0, { ...base, resumeToken: next.token, resumed: true });
          session.recorder?.marker(`${userRef} reattached`);
          void this.auditAttach('session-resume', session, request, userRef, role);
        },
      };
    }
    if (!session.relay.isShared) throw new NotAllowedError(`${session.userRef} stopped sharing this session`);
    return {
      ok: true,
      abandon: () => undefined,
      accept: ws => {
        session.relay.addWatcher(ws, userRef, role, { ...base, role, resumeToken: undefined, reattachGraceSeconds: 0, resumed: true });
        if (!session.watchedBy.includes(userRef)) session.watchedBy.push(userRef);
        if (role === 'moderator') session.moderators.set(userRef, request);
        session.recorder?.marker(`${userRef} joined as ${role === 'moderator' ? 'a moderator' : 'a watcher'}`);
        void this.auditAttach('session-join', session, request, userRef, role);
      },
    };
  }

  private auditAttach(eventId: string, session: ActiveSession, request: Request, actor: string, role: SessionRole) {
    return new RequestAudit(this.deps.auditor, this.deps.logger, {
      eventId,
      request,
      actor,
      severity: this.deps.clusters.config(session.target.cluster).production ? 'high' : 'medium',
      meta: { sessionId: session.sessionId, owner: session.userRef, role, entityRef: session.target.entityRef, cluster: session.target.cluster, pod: session.target.pod, container: session.target.container, recordingId: session.recorder?.id ?? null },
    }).succeed();
  }

  private summary(s: LedgerSession): LiveSessionSummary {
    return {
      sessionId: s.sessionId,
      kind: s.target.kind,
      user: s.userRef,
      entityRef: s.target.entityRef,
      cluster: s.target.cluster,
      namespace: s.target.namespace,
      pod: s.target.pod,
      container: s.target.container,
      production: this.deps.clusters.config(s.target.cluster).production,
      startedAt: s.startedAt.toISOString(),
      shared: s.shared,
    };
  }

  /** The running sessions of an entity a user may see: shared ones, and their own. */
  async liveSessions(entityRef: string, userRef: string): Promise<LiveSessionSummary[]> {
    const sessions = await this.deps.ledger.sessionsOf(entityRef);
    return sessions.filter(s => s.shared || s.userRef === userRef).map(s => this.summary(s));
  }

  /** A watcher's single-use attach token for a shared session of the entity (the route checked the permission). */
  async issueWatch(sessionId: string, entityRef: string, userRef: string, role: 'watcher' | 'moderator', basePath: string): Promise<WatchSessionResponse> {
    const { ledger, attachTokens, config } = this.deps;
    const s = await ledger.session(sessionId);
    if (!s || s.target.entityRef !== entityRef) throw new NotFoundError(`no running session ${sessionId} on ${entityRef}`);
    if (!s.replicaUrl && s.replicaId !== ledger.replicaId) throw new SessionGoneError('the backend replica that ran this session stopped, and the session ended with it');
    if (s.userRef === userRef) throw new ConflictError('this is your own session: it is in your session dock (or reattached from the Terminal tab), not watched');
    if (!s.shared) throw new NotAllowedError(`${s.userRef} has not shared this session: the owner shares it from their terminal`);
    const { token, expiresAt } = await attachTokens.issue(sessionId, userRef, role, config.ticketTtlSeconds);
    return { expiresAt: expiresAt.toISOString(), path: `${basePath}${SESSION_WS_PATH}`, protocols: [TERMINAL_PROTOCOL, `${ATTACH_PROTOCOL_PREFIX}${token}`], role, session: this.summary(s) };
  }

  private async afterEnd(target: SessionTarget, user: SessionUser) {
    for (const hook of this.endHooks) {
      await hook(target, user).catch(e => this.deps.logger.error(`after the session on ${target.pod}/${target.container}: ${(e as Error).message}`));
    }
  }

  /** Ends every session (the backend is stopping); resolves when all are recorded. */
  async shutdown() {
    this.shuttingDown = true;
    clearInterval(this.ledgerTimer);
    for (const s of this.active) s.relay.end('shutdown', 'the portal backend is restarting: reconnect in a moment');
    if (this.unfinished) await new Promise<void>(resolve => (this.drained = resolve));
    await this.deps.ledger.leave().catch(e => this.deps.logger.warn(`session ledger: ${(e as Error).message}`));
  }
}
