import { ChildProcess } from 'node:child_process';
import WebSocket from 'ws';
import { Status } from './status';

/** Subprotocols the sandbox speaks, best first (kubectl 1.30+ offers only v5; client-node offers v5..v1). */
export const STREAM_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io', 'channel.k8s.io'] as const;

export const CHANNEL = { stdin: 0, stdout: 1, stderr: 2, error: 3, resize: 4, close: 255 } as const;

/** Picks the protocol to echo back; undefined when the client offers none we speak. */
export function chooseProtocol(offered: Set<string>): string | undefined {
  return STREAM_PROTOCOLS.find(p => offered.has(p));
}

/** What the kubelet writes on channel 3 when the command ends (v4/v5: a Status without TypeMeta). */
export function exitStatus(code: number, argv: string[]): Omit<Status, 'kind' | 'apiVersion' | 'code'> {
  if (code === 0) return { metadata: {}, status: 'Success' };
  return {
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: error executing command [${argv.join(' ')}], exit code ${code}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(code) }] },
  };
}

const frame = (channel: number, data: Buffer | string) => Buffer.concat([Buffer.from([channel]), Buffer.isBuffer(data) ? data : Buffer.from(data)]);

/**
 * Relays one exec between a channel.k8s.io WebSocket and a process: stdin from channel 0 (v5's
 * `[255, 0]` closes it), stdout/stderr to channels 1/2, the exit Status on channel 3, then a normal
 * close (1000), which is the only ending client-go reads as success.
 */
export function relayExec(ws: WebSocket, child: ChildProcess, argv: string[], io: { stdout: boolean; stderr: boolean }) {
  const protocol = ws.protocol;
  const versioned = protocol !== 'channel.k8s.io';
  // First an empty frame on the lowest writable channel, as the kubelet and the apiserver do.
  let first: number = CHANNEL.error;
  if (io.stdout) first = CHANNEL.stdout;
  else if (io.stderr) first = CHANNEL.stderr;
  ws.send(frame(first, Buffer.alloc(0)));
  if (io.stdout) child.stdout?.on('data', (d: Buffer) => ws.send(frame(CHANNEL.stdout, d)));
  if (io.stderr) child.stderr?.on('data', (d: Buffer) => ws.send(frame(CHANNEL.stderr, d)));
  ws.on('message', (data: Buffer, isBinary: boolean) => {
    if (!isBinary || data.length === 0) return;
    const channel = data[0];
    if (channel === CHANNEL.stdin) child.stdin?.write(data.subarray(1));
    else if (channel === CHANNEL.close && protocol === 'v5.channel.k8s.io' && data.length === 2 && data[1] === CHANNEL.stdin) child.stdin?.end();
  });
  ws.on('close', () => {
    if (child.exitCode === null && child.signalCode === null && child.pid) {
      try {
        process.kill(-child.pid, 'SIGKILL'); // the client left: the command goes too
      } catch {
        // gone
      }
    }
  });
  child.once('close', (code, signal) => {
    if (ws.readyState !== WebSocket.OPEN) return;
    const rc = code ?? (signal === 'SIGKILL' ? 137 : 143);
    const status = exitStatus(rc, argv);
    if (versioned) ws.send(frame(CHANNEL.error, JSON.stringify(status)));
    else if (rc !== 0) ws.send(frame(CHANNEL.error, status.message ?? ''));
    ws.close(1000);
  });
  child.stdin?.on('error', () => undefined); // the process may exit before reading its stdin
}
