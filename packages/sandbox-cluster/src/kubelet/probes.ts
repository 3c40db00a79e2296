import http from 'node:http';
import net from 'node:net';
import { StreamEndpoint } from './streams';

/** The parts of a core/v1 Probe the sandbox runs. */
export interface ProbeSpec {
  exec?: { command?: string[] };
  httpGet?: { path?: string; port?: number | string; host?: string };
  tcpSocket?: { port?: number | string; host?: string };
  initialDelaySeconds?: number;
  timeoutSeconds?: number;
  periodSeconds?: number;
  successThreshold?: number;
  failureThreshold?: number;
}

export type ProbeResult = { ok: true } | { ok: false; output: string };

/** Probe defaults, as the API server fills them in (pkg/apis/core/v1/defaults.go). */
export function probeTiming(p: ProbeSpec) {
  return {
    initialDelayMs: (p.initialDelaySeconds ?? 0) * 1000,
    timeoutMs: Math.max(1, p.timeoutSeconds ?? 1) * 1000,
    periodMs: Math.max(1, p.periodSeconds ?? 10) * 1000,
    successThreshold: Math.max(1, p.successThreshold ?? 1),
    failureThreshold: Math.max(1, p.failureThreshold ?? 3),
  };
}

/**
 * Runs one probe as the kubelet's prober does: an exec in the container (success is exit 0; the
 * output is what it printed), an HTTP GET (200-399), or a TCP connect. The containers share the
 * host's network here, so the pod's address is this machine. Failure texts are the kubelet's.
 */
export async function runProbe(p: ProbeSpec, exec: (argv: string[]) => StreamEndpoint, timeoutMs: number): Promise<ProbeResult> {
  if (p.exec?.command?.length) return execProbe(exec(p.exec.command), p.exec.command, timeoutMs);
  if (p.httpGet) return httpProbe(p.httpGet, timeoutMs);
  if (p.tcpSocket) return tcpProbe(p.tcpSocket, timeoutMs);
  return { ok: false, output: 'unknown probe type' };
}

function execProbe(endpoint: StreamEndpoint, command: string[], timeoutMs: number): Promise<ProbeResult> {
  return new Promise(resolve => {
    let output = '';
    endpoint.onOutput((_s, d) => (output += d.toString('utf8')));
    const timer = setTimeout(() => {
      endpoint.detach();
      resolve({ ok: false, output: `command ${JSON.stringify(command.join(' '))} timed out` });
    }, timeoutMs);
    endpoint.onEnd(end => {
      clearTimeout(timer);
      if (end.kind === 'exit' && end.code === 0) resolve({ ok: true });
      else if (output.trim()) resolve({ ok: false, output: output.trim() });
      else if (end.kind === 'exit') resolve({ ok: false, output: `command ${JSON.stringify(command.join(' '))} exited with ${end.code}` });
      else resolve({ ok: false, output: end.kind === 'error' ? end.message : 'the probe was cut off' });
    });
  });
}

const portOf = (port: number | string | undefined) => Number(port);

function httpProbe(g: NonNullable<ProbeSpec['httpGet']>, timeoutMs: number): Promise<ProbeResult> {
  const host = g.host || '127.0.0.1';
  const port = portOf(g.port);
  const url = `http://${host}:${port}${g.path ?? '/'}`;
  return new Promise(resolve => {
    const req = http.get(url, { timeout: timeoutMs, headers: { 'User-Agent': 'kube-probe/1.32' } }, res => {
      res.resume();
      const code = res.statusCode ?? 0;
      resolve(code >= 200 && code < 400 ? { ok: true } : { ok: false, output: `HTTP probe failed with statuscode: ${code}` });
    });
    req.on('timeout', () => {
      req.destroy();
      resolve({ ok: false, output: `Get "${url}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)` });
    });
    req.on('error', (e: NodeJS.ErrnoException) => {
      const why = e.code === 'ECONNREFUSED' ? 'connect: connection refused' : e.message;
      resolve({ ok: false, output: `Get "${url}": dial tcp ${host}:${port}: ${why}` });
    });
  });
}

function tcpProbe(t: NonNullable<ProbeSpec['tcpSocket']>, timeoutMs: number): Promise<ProbeResult> {
  const host = t.host || '127.0.0.1';
  const port = portOf(t.port);
  return new Promise(resolve => {
    const socket = net.connect({ host, port, timeout: timeoutMs });
    socket.once('connect', () => {
      socket.destroy();
      resolve({ ok: true });
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve({ ok: false, output: `dial tcp ${host}:${port}: i/o timeout` });
    });
    socket.once('error', (e: NodeJS.ErrnoException) => {
      resolve({ ok: false, output: `dial tcp ${host}:${port}: ${e.code === 'ECONNREFUSED' ? 'connect: connection refused' : e.message}` });
    });
  });
}
