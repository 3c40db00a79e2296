import http from 'node:http';
import { Duplex } from 'node:stream';
import WebSocket, { WebSocketServer } from 'ws';
import { TERMINAL_PROTOCOL, TICKET_PROTOCOL_PREFIX } from '@kube-troubleshoot/backstage-plugin-common';

export interface UpgradeRoute {
  /** The WebSocket's path, e.g. `/api/kube-troubleshoot/sessions/ws`. */
  path: string;
  /** Origins a browser may open it from (the app's), e.g. `http://localhost:3000`. */
  allowedOrigins: string[];
  /** Checks the ticket; a refusal carries the HTTP status and what to tell the client. */
  redeem(ticket: string): Promise<{ ok: true; accept: (ws: WebSocket) => void } | { ok: false; status: number; message: string }>;
}

/** Answers an upgrade request with an error instead of a WebSocket, and closes the socket. */
function refuse(socket: Duplex, status: number, message: string) {
  const body = JSON.stringify({ error: { name: status === 403 ? 'NotAllowedError' : 'AuthenticationError', message }, response: { statusCode: status } });
  socket.end(
    `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/** The ticket from `Sec-WebSocket-Protocol: kube-troubleshoot.terminal.v1, ticket.<value>`. */
export function ticketFromProtocols(header: string | undefined): string | undefined {
  const offered = (header ?? '').split(',').map(p => p.trim());
  if (!offered.includes(TERMINAL_PROTOCOL)) return undefined;
  return offered.find(p => p.startsWith(TICKET_PROTOCOL_PREFIX))?.slice(TICKET_PROTOCOL_PREFIX.length) || undefined;
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
 * plugin's listeners: checks the Origin and the ticket before anything opens upstream.
 */
export function attachUpgradeListener(server: http.Server, route: UpgradeRoute) {
  const paths = attached.get(server) ?? new Set<string>();
  if (paths.has(route.path)) return;
  paths.add(route.path);
  attached.set(server, paths);
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, handleProtocols: offered => (offered.has(TERMINAL_PROTOCOL) ? TERMINAL_PROTOCOL : false) });
  const listener = (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    // Node removes its own error handler before emitting `upgrade`: a reset socket must not crash us.
    if (!socket.listenerCount('error')) socket.on('error', () => socket.destroy());
    const url = new URL(req.url ?? '/', 'http://backend');
    if (url.pathname !== route.path) {
      passOn(server, req, socket, head, listener);
      return;
    }
    const origin = req.headers.origin;
    if (!origin || !route.allowedOrigins.includes(origin)) {
      refuse(socket, 403, `the origin ${origin ?? '(none)'} may not open terminal sessions; allowed: ${route.allowedOrigins.join(', ')}`);
      return;
    }
    const ticket = ticketFromProtocols(req.headers['sec-websocket-protocol']);
    if (!ticket) {
      refuse(socket, 401, `a session ticket is required: offer the subprotocols ${TERMINAL_PROTOCOL} and ${TICKET_PROTOCOL_PREFIX}<ticket> from POST .../sessions`);
      return;
    }
    route
      .redeem(ticket)
      .then(result => {
        if (!result.ok) {
          refuse(socket, result.status, result.message);
          return;
        }
        wss.handleUpgrade(req, socket, head, ws => result.accept(ws));
      })
      .catch(e => refuse(socket, 500, `the session could not start: ${(e as Error).message}`));
  };
  server.on('upgrade', listener);
}
