import WebSocket from 'ws';
import { StreamEnd, StreamEndpoint } from '../kubelet/streams';
import { parseTerminalSize } from '../kubelet/runtime/pty';
import { Status } from './status';

/** Subprotocols the sandbox speaks, best first (kubectl 1.30+ offers only v5; client-node offers v5..v1). */
export const STREAM_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io', 'channel.k8s.io'] as const;

export const CHANNEL = { stdin: 0, stdout: 1, stderr: 2, error: 3, resize: 4, close: 255 } as const;

/** Picks the protocol to echo back; undefined when the client offers none we speak. */
export function chooseProtocol(offered: Set<string>): string | undefined {
  return STREAM_PROTOCOLS.find(p => offered.has(p));
}

type ChannelStatus = Omit<Status, 'kind' | 'apiVersion' | 'code'> & { code?: number };

/** What the kubelet writes on channel 3 when a stream ends (v4/v5: a Status without TypeMeta). */
export function endStatus(end: StreamEnd, argv: string[]): ChannelStatus {
  if (end.kind === 'error') {
    const message = `Internal error occurred: ${end.message}`;
    return { metadata: {}, status: 'Failure', message, reason: 'InternalError', details: { causes: [{ message: end.message }] }, code: 500 };
  }
  const code = end.kind === 'exit' ? end.code : 0;
  if (code === 0) return { metadata: {}, status: 'Success' };
  return {
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: error executing command [${argv.join(' ')}], exit code ${code}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(code) }] },
  };
}

export interface StreamIO {
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

const frame = (channel: number, data: Buffer | string) => Buffer.concat([Buffer.from([channel]), Buffer.isBuffer(data) ? data : Buffer.from(data)]);

/**
 * Relays one exec or attach between a channel.k8s.io WebSocket and the kubelet's side: stdin from
 * channel 0 (v5's `[255, 0]` closes it), resize from channel 4, stdout/stderr to channels 1/2, the
 * final Status on channel 3, then a normal close (1000), the only ending client-go reads as success.
 */
export function relayStreams(ws: WebSocket, endpoint: StreamEndpoint, argv: string[], io: StreamIO) {
  const protocol = ws.protocol;
  const versioned = protocol !== 'channel.k8s.io';
  // First an empty frame on the lowest writable channel, as the kubelet and the apiserver do.
  let first: number = CHANNEL.error;
  if (io.stdout) first = CHANNEL.stdout;
  else if (io.stderr) first = CHANNEL.stderr;
  ws.send(frame(first, Buffer.alloc(0)));
  endpoint.onOutput((stream, data) => {
    if (ws.readyState !== WebSocket.OPEN) return;
    // On a terminal there is one stream; it goes to stdout.
    if (stream === 'stdout' || endpoint.tty) {
      if (io.stdout) ws.send(frame(CHANNEL.stdout, data));
    } else if (io.stderr) ws.send(frame(CHANNEL.stderr, data));
  });
  // Text frames count as binary ones: the kubelet reads each with x/net/websocket's
  // `Message.Receive` into []byte (wsstream `Conn.handle`), and the Python client sends a string's
  // stdin as text.
  ws.on('message', (data: Buffer) => {
    if (data.length === 0) return;
    const channel = data[0];
    if (channel === CHANNEL.stdin && io.stdin) endpoint.writeStdin(data.subarray(1));
    else if (channel === CHANNEL.resize && io.tty) {
      const size = parseTerminalSize(data.subarray(1).toString('utf8'));
      if (size) endpoint.resize(size);
    } else if (channel === CHANNEL.close && protocol === 'v5.channel.k8s.io' && data.length === 2 && data[1] === CHANNEL.stdin) {
      endpoint.endStdin();
    }
  });
  let done = false;
  ws.on('close', () => {
    if (!done) endpoint.detach(); // the client left: an exec'd command goes too
  });
  endpoint.onEnd(end => {
    done = true;
    if (ws.readyState !== WebSocket.OPEN) return;
    const status = endStatus(end, argv);
    if (versioned) ws.send(frame(CHANNEL.error, JSON.stringify(status)));
    else if (status.status !== 'Success') ws.send(frame(CHANNEL.error, status.message ?? ''));
    ws.close(1000);
  });
}
