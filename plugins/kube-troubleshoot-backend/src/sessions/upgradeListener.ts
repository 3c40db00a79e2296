import http from 'node:http';
import net from 'node:net';
import { Duplex } from 'node:stream';
import tls from 'node:tls';
import { Request } from 'express';
import WebSocket, { WebSocketServer } from 'ws';
import {
  ATTACH_PROTOCOL_PREFIX,
  BEARER_PROTOCOL_PREFIX,
  encodeFrame,
  OFFSET_PROTOCOL_PREFIX,
  SessionEnded,
  TERMINAL_PROTOCOL,
  TICKET_PROTOCOL_PREFIX,
  tokenFromBearerProtocol,
} from '@kube-troubleshoot/backstage-plugin-common';

/** What a WebSocket upgrade offers, read off its headers; the session manager decides. */
export interface UpgradeAttempt {
  /** Why the request is not a WebSocket handshake (checked before anything is redeemed). */
  notAHandshake?: string;
  origin?: string;
  ticket?: string;
  /** An attach token (`attach.`): the owner's resume token, or a watcher's. */
  attach?: string;
  /** Output bytes the browser already shows (`offset.`), when it comes back. */
  offset?: number;
  /** Another replica forwarded this upgrade here: it is never forwarded again. */
  forwarded: boolean;
  /** The caller's Backstage token, from the `bearer.` subprotocol. */
  token?: string;
  /**
   * The upgrade as the request the auditor and httpAuth read (method, url, ip, headers); with a
   * token it carries it as `Authorization`, so the actor of its audit events is that user.
   */
  request(token: string | undefined): Request;
}

/** The session's answer to an upgrade: `abandon` is called instead of `accept` when the handshake fails after a yes. */
export type ConnectResult =
  | { ok: true; accept: (ws: WebSocket) => void; abandon: () => void }
  | { ok: false; status: number; message: string }
  /** The session runs on another replica, reached at `to`: the upgrade is passed there as it came. */
  | { ok: 'forward'; to: string; via: string }
  /**
   * The caller may attach, but the session is gone: the WebSocket opens only to say so (a browser
   * cannot read why an upgrade was refused, and would try again).
   */
  | { ok: 'end'; ended: SessionEnded };

/** The header a replica adds to an upgrade it forwards (its replica id), so the next one never forwards it again. */
export const FORWARDED_HEADER = 'x-kube-troubleshoot-forwarded-by';

export interface UpgradeRoute {
  /** The WebSocket's path, e.g. `/api/kube-troubleshoot/sessions/ws`. */
  path: string;
  connect(attempt: UpgradeAttempt): Promise<ConnectResult>;
}

const ERROR_NAMES: Record<number, string> = { 400: 'InputError', 401: 'AuthenticationError', 403: 'NotAllowedError', 404: 'NotFoundError', 409: 'ConflictError', 410: 'GoneError', 502: 'BadGatewayError', 503: 'ServiceUnavailableError' };

/** Answers an upgrade request with an error instead of a WebSocket, and closes the socket. */
function refuse(socket: Duplex, status: number, message: string) {
  const body = JSON.stringify({ error: { name: ERROR_NAMES[status] ?? 'Error', message }, response: { statusCode: status } });
  socket.end(
    `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/** The offered subprotocols; the ticket, attach token and token only when the terminal protocol is offered too. */
export function readProtocols(header: string | undefined): { ticket?: string; attach?: string; offset?: number; token?: string } {
  const offered = (header ?? '').split(',').map(p => p.trim());
  if (!offered.includes(TERMINAL_PROTOCOL)) return {};
  const after = (prefix: string) => offered.find(p => p.startsWith(prefix))?.slice(prefix.length) || undefined;
  const ticket = after(TICKET_PROTOCOL_PREFIX);
  const attach = after(ATTACH_PROTOCOL_PREFIX);
  const offsetText = after(OFFSET_PROTOCOL_PREFIX);
  const offset = offsetText && /^\d{1,15}$/.test(offsetText) ? Number(offsetText) : undefined;
  const bearer = offered.find(p => p.startsWith(BEARER_PROTOCOL_PREFIX));
  return { ticket, attach, offset, token: bearer ? tokenFromBearerProtocol(bearer) : undefined };
}

/**
 * Passes an upgrade on to the replica that holds its session, byte for byte: the request as it
 * came (the Origin, the subprotocols: that replica checks everything again), marked as forwarded,
 * then both sockets piped together. A link that fails answers 502; either side's end ends both.
 */
export function forwardUpgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer, to: string, via: string, onUnreachable: (message: string) => void) {
  const target = new URL(to);
  const port = Number(target.port || (target.protocol === 'https:' ? 443 : 80));
  const host = target.hostname.replace(/^\[|\]$/g, '');
  const link = target.protocol === 'https:' ? tls.connect({ host, port, servername: net.isIP(host) ? undefined : host }) : net.connect({ host, port });
  let piped = false;
  link.on('error', e => {
    if (!piped) onUnreachable(`the backend replica that ran this shell (${target.origin}) cannot be reached (${e.message}): it stopped, and the shell ended with it. Reconnect opens a new shell`);
    else socket.destroy();
  });
  socket.on('error', () => link.destroy());
  socket.on('close', () => link.destroy());
  link.on('close', () => {
    if (piped) socket.destroy();
  });
  link.once(target.protocol === 'https:' ? 'secureConnect' : 'connect', () => {
    piped = true;
    const lines = [`${req.method} ${req.url} HTTP/1.1`];
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
      if (req.rawHeaders[i].toLowerCase() !== FORWARDED_HEADER) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
    }
    lines.push(`${FORWARDED_HEADER}: ${via}`);
    link.write(`${lines.join('\r\n')}\r\n\r\n`);
    if (head.length) link.write(head);
    socket.pipe(link);
    link.pipe(socket);
  });
}

/**
 * The upgrade request in the shape of the Express request the auditor reads. An upgrade never goes
 * through Express, so it is adapted here, once; only these fields (and headers) are read of it. A
 * session's audit event holds it to its end, so it keeps only these (a class: no closure per session).
 */
class AuditedUpgrade {
  readonly headers: http.IncomingHttpHeaders;
  readonly method?: string;
  readonly url?: string;
  readonly ip?: string;
  readonly hostname: string;

  constructor(msg: http.IncomingMessage, token: string | undefined) {
    // The headers read of it: never the subprotocols (they carry the ticket and the token).
    this.headers = { 'user-agent': msg.headers['user-agent'], authorization: token ? `Bearer ${token}` : undefined };
    this.method = msg.method;
    this.url = msg.url;
    this.ip = msg.socket.remoteAddress;
    this.hostname = (msg.headers.host ?? '').replace(/:\d+$/, '');
  }

  get originalUrl() {
    return this.url;
  }

  get(name: string) {
    return this.headers[name.toLowerCase()];
  }
}

const asAuditedRequest = (msg: http.IncomingMessage, token: string | undefined) => new AuditedUpgrade(msg, token) as unknown as Request;

/** Node removes its own error handler before emitting `upgrade`: a reset socket must not crash us. */
function guard(socket: Duplex) {
  if (!socket.listenerCount('error')) socket.on('error', () => socket.destroy());
}

// No client tracking: the session manager knows its sessions (and a Set entry per socket is not free).
const wss = new WebSocketServer({ noServer: true, clientTracking: false, perMessageDeflate: false, handleProtocols: offered => (offered.has(TERMINAL_PROTOCOL) ? TERMINAL_PROTOCOL : false) });

/** What makes `ws` refuse a handshake (RFC 6455 4.2.1), checked first so a ticket is never spent on one. */
function handshakeProblem(req: http.IncomingMessage): string | undefined {
  if (req.method !== 'GET') return `a WebSocket handshake is a GET, not ${req.method}`;
  if (req.headers.upgrade?.toLowerCase() !== 'websocket') return 'the Upgrade header must be websocket';
  const key = req.headers['sec-websocket-key'];
  if (!key || !/^[+/0-9A-Za-z]{22}==$/.test(key)) return 'Sec-WebSocket-Key must be 16 bytes in base64';
  if (req.headers['sec-websocket-version'] !== '13') return 'Sec-WebSocket-Version must be 13';
  return undefined;
}

/** Opens the WebSocket only to say the session ended, and why. */
function endAtOnce(req: http.IncomingMessage, socket: Duplex, head: Buffer, ended: SessionEnded) {
  if (socket.destroyed) return;
  wss.handleUpgrade(req, socket, head, ws => {
    ws.send(encodeFrame({ type: 'ended', ended }));
    ws.close(1000, ended.reason);
  });
}

/**
 * Takes one upgrade request for the session path: refuses it or hands the WebSocket to the session.
 * Resolves once the socket is the session's or closed.
 */
export async function takeUpgrade(route: Pick<UpgradeRoute, 'connect'>, req: http.IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
  guard(socket);
  let attempt: UpgradeAttempt;
  try {
    const { ticket, attach, offset, token } = readProtocols(req.headers['sec-websocket-protocol']);
    attempt = {
      notAHandshake: handshakeProblem(req),
      origin: req.headers.origin,
      ticket,
      attach,
      offset,
      forwarded: Boolean(req.headers[FORWARDED_HEADER]),
      token,
      request: t => asAuditedRequest(req, t),
    };
  } catch (e) {
    refuse(socket, 400, `the upgrade request cannot be read: ${(e as Error).message}`);
    return;
  }
  let result: ConnectResult;
  try {
    result = await route.connect(attempt);
  } catch (e) {
    refuse(socket, 500, `the session could not start: ${(e as Error).message}`);
    return;
  }
  if (result.ok === 'forward') {
    forwardUpgrade(req, socket, head, result.to, result.via, message => endAtOnce(req, socket, head, { reason: 'lost', message }));
    return;
  }
  if (result.ok === 'end') {
    endAtOnce(req, socket, head, result.ended);
    return;
  }
  if (!result.ok) {
    refuse(socket, result.status, result.message);
    return;
  }
  // ws completes the handshake synchronously, or drops it (the socket closed meanwhile).
  let accepted = false;
  try {
    wss.handleUpgrade(req, socket, head, ws => {
      accepted = true;
      result.accept(ws);
    });
  } finally {
    if (!accepted) result.abandon();
  }
}

/** Backstage's own WebSocket routes (backend-plugin-api 1.12 and later), where the backend has them. */
export interface WebSocketCapableRouter {
  addWebSocketHandler?(options: {
    path: string;
    authPolicy?: 'unauthenticated';
    handler(context: { request: http.IncomingMessage; socket: Duplex; head: Buffer }): void | Promise<void>;
  }): void;
}

/**
 * Serves the session WebSocket through the backend's own WebSocket routes when it has them: the
 * framework owns the server's upgrades there, from the first request on. Returns false on older
 * backends, where the sessions router listens itself (see sessionsRouter).
 */
export function registerWebSocketRoute(httpRouter: WebSocketCapableRouter, path: string, route: Pick<UpgradeRoute, 'connect'>): boolean {
  if (typeof httpRouter.addWebSocketHandler !== 'function') return false;
  // The ticket and the token in the subprotocols authenticate it, as on older backends.
  httpRouter.addWebSocketHandler({ path, authPolicy: 'unauthenticated', handler: ({ request, socket, head }) => takeUpgrade(route, request, socket, head) });
  return true;
}

/**
 * Node only routes an upgrade to `request` handlers when nobody listens for `upgrade`. Once we
 * listen, upgrades for other paths would hang: when we are the only listener, hand them to the
 * server's request handlers exactly as Node would have (other plugins may upgrade from Express).
 */
function passOn(server: http.Server, req: http.IncomingMessage, socket: Duplex, head: Buffer, self: (...args: never[]) => void) {
  const others = server.listeners('upgrade').filter(l => l !== self);
  if (others.length) return; // another listener takes it
  if (head.length) socket.unshift(head);
  const res = new http.ServerResponse(req);
  res.shouldKeepAlive = false;
  res.assignSocket(socket as import('node:net').Socket);
  res.once('finish', () => socket.end());
  server.emit('request', req, res);
}

const attached = new WeakMap<http.Server, Set<string>>();

/**
 * Listens for WebSocket upgrades on `route.path` of the backend's HTTP server, beside any other
 * plugin's listeners.
 */
export function attachUpgradeListener(server: http.Server, route: UpgradeRoute) {
  const paths = attached.get(server) ?? new Set<string>();
  if (paths.has(route.path)) return;
  paths.add(route.path);
  attached.set(server, paths);
  const listener = (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    guard(socket);
    const url = new URL(req.url ?? '/', 'http://backend');
    if (url.pathname !== route.path) {
      passOn(server, req, socket, head, listener);
      return;
    }
    void takeUpgrade(route, req, socket, head);
  };
  server.on('upgrade', listener);
}
