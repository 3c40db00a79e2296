import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AddressInfo } from 'node:net';
import WebSocket from 'ws';
import { mockCredentials } from '@backstage/backend-test-utils';
import { bearerProtocol, decodeFrame, encodeFrame } from '@kube-troubleshoot/backstage-plugin-common';
import { waitFor } from '../support/tools';
import { SandboxProcess, startSandboxProcess } from '../support/sandboxProcess';
import { BENCH_ORIGIN, startBenchBackend } from '../support/benchBackend';
import { addBenchRow } from './benchTable';

/**
 * The Terminal tab's relay against exec straight to the sandbox, measured in the same run:
 * keystroke echo round trip, throughput of `cat` of 100 MB, and memory per idle session.
 */
jest.setTimeout(600_000);

const BIG = 100_000_000;
const WORKLOADS = `
apiVersion: v1
kind: Pod
metadata: { name: term, namespace: bench, labels: { 'backstage.io/kubernetes-id': term } }
spec:
  containers: [{ name: sh, image: sandbox.local/toolbox:1 }]
`;

let sandbox: SandboxProcess;
let tmp: string;
let backend: Awaited<ReturnType<typeof startBenchBackend>>;
let port: number;
const results: string[] = [];

const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((p / 100) * values.length))];
const ms = (v: number) => `${v.toFixed(2)} ms`;

/** An exec straight to the sandbox (what the portal's relay is compared with). */
function directExec(command: string[]): Promise<WebSocket> {
  const q = new URLSearchParams({ container: 'sh', stdin: 'true', stdout: 'true', tty: 'true' });
  for (const c of command) q.append('command', c);
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${sandbox.url.replace('https', 'wss')}/api/v1/namespaces/bench/pods/term/exec?${q}`, ['v5.channel.k8s.io'], {
      ca: sandbox.caData,
      headers: { Authorization: `Bearer ${sandbox.admin}` },
    });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

/** A terminal session through the backend, as the browser opens one. */
async function portalSession(): Promise<WebSocket> {
  const res = await fetch(`http://127.0.0.1:${port}/api/kube-troubleshoot/entities/component/default/term/sessions`, {
    method: 'POST',
    headers: { Authorization: mockCredentials.user.header('user:default/alice'), 'Content-Type': 'application/json' },
    body: JSON.stringify({ cluster: 'sandbox', pod: 'term', container: 'sh' }),
  });
  if (res.status !== 201) throw new Error(`session refused: ${res.status} ${await res.text()}`);
  const session = (await res.json()) as { path: string; protocols: string[] };
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${session.path}`, [...session.protocols, bearerProtocol(mockCredentials.user.token('user:default/alice'))], { origin: BENCH_ORIGIN });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

/** Output bytes of either kind of socket (channel 1 upstream, stdout frames through the portal). */
const outputOf = (kind: 'direct' | 'portal', data: Buffer): Buffer | undefined => {
  if (kind === 'direct') return data[0] === 1 ? data.subarray(1) : undefined;
  const frame = decodeFrame(data);
  return frame.type === 'stdout' ? Buffer.from(frame.data) : undefined;
};
const inputFrame = (kind: 'direct' | 'portal', text: string) =>
  kind === 'direct' ? Buffer.concat([Buffer.from([0]), Buffer.from(text)]) : Buffer.from(encodeFrame({ type: 'stdin', data: new TextEncoder().encode(text) }));

async function echoRoundTrips(kind: 'direct' | 'portal', ws: WebSocket, n: number): Promise<number[]> {
  let pending: ((d: Buffer) => void) | undefined;
  ws.on('message', (d: Buffer) => {
    const out = outputOf(kind, d);
    if (out) pending?.(out);
  });
  await new Promise(r => setTimeout(r, 500));
  const samples: number[] = [];
  const echo = (key: string) =>
    new Promise<void>(resolve => {
      pending = out => out.includes(key) && resolve();
      ws.send(inputFrame(kind, key));
    });
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await echo(String.fromCharCode(97 + (i % 26)));
    samples.push(performance.now() - t0);
  }
  ws.close();
  return samples;
}

/** Reads output until `done` says so; returns bytes and seconds. */
function drain(kind: 'direct' | 'portal', ws: WebSocket, start: () => void, done: (total: number) => boolean) {
  return new Promise<{ bytes: number; seconds: number }>(resolve => {
    let bytes = 0;
    const t0 = performance.now();
    ws.on('message', (d: Buffer) => {
      const out = outputOf(kind, d);
      if (out) bytes += out.length;
      if (done(bytes)) resolve({ bytes, seconds: (performance.now() - t0) / 1000 });
    });
    start();
  });
}

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kt-terminal-bench-'));
  fs.writeFileSync(path.join(tmp, 'w.yaml'), WORKLOADS);
  sandbox = await startSandboxProcess(path.join(tmp, 'w.yaml'), tmp);
  backend = await startBenchBackend(sandbox, 'term', { sessions: { maxPerUser: 0, maxPerReplica: 0 }, recordings: { enabled: false } });
  port = (backend.server.address() as AddressInfo).port;
  // The 100 MB file, made inside the container.
  const ws = await waitFor('the bench pod to accept exec', () => directExec(['sh', '-c', `yes 0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ | head -c ${BIG} > /tmp/big; echo made`]).catch(() => undefined));
  await new Promise<void>(resolve => ws.on('close', () => resolve()));
});

afterAll(async () => {
  await backend?.stop();
  await sandbox?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  process.stdout.write(`\nterminal relay (portal vs direct to the sandbox, same run)\n${results.join('\n')}\n`);
});

it('keystroke echo round trip', async () => {
  const direct = await echoRoundTrips('direct', await directExec(['cat']), 1000);
  const viaPortal = await portalSession();
  viaPortal.send(encodeFrame({ type: 'stdin', data: new TextEncoder().encode('exec cat\r') }));
  const portal = await echoRoundTrips('portal', viaPortal, 1000);
  expect(portal).toHaveLength(1000);
  const p50 = [percentile(direct, 50), percentile(portal, 50)];
  const p99 = [percentile(direct, 99), percentile(portal, 99)];
  results.push(`keystroke echo (n=1000): direct p50 ${ms(p50[0])} p99 ${ms(p99[0])}; portal p50 ${ms(p50[1])} p99 ${ms(p99[1])}; ratio p50 ${(p50[1] / p50[0]).toFixed(2)}, p99 ${(p99[1] / p99[0]).toFixed(2)}`);
  addBenchRow({ figure: 'keystroke echo p99 through the portal (n=1000)', value: ms(p99[1]), direct: ms(p99[0]), ratio: `+${(p99[1] - p99[0]).toFixed(2)} ms`, goal: '≤ direct + 1 ms', met: p99[1] <= p99[0] + 1 });
  addBenchRow({ figure: 'keystroke echo p50', value: ms(p50[1]), direct: ms(p50[0]), ratio: `${(p50[1] / p50[0]).toFixed(2)}×`, goal: '≤ 1.5×', met: p50[1] <= 1.5 * p50[0] });
});

it('throughput of cat of 100 MB on a terminal', async () => {
  // A terminal turns each \n into \r\n: count until every line arrived.
  const expected = BIG + BIG / 63;
  const d = await directExec(['cat', '/tmp/big']);
  const direct = await drain('direct', d, () => undefined, bytes => bytes >= expected * 0.999);
  d.close();
  const p = await portalSession();
  const portal = await drain('portal', p, () => p.send(encodeFrame({ type: 'stdin', data: new TextEncoder().encode('cat /tmp/big; exit\r') })), bytes => bytes >= expected * 0.999);
  p.close();
  expect(portal.bytes).toBeGreaterThan(BIG);
  const rate = (r: { bytes: number; seconds: number }) => r.bytes / r.seconds / 1e6;
  addBenchRow({ figure: '`cat` of 100 MB through a terminal', value: `${rate(portal).toFixed(1)} MB/s`, direct: `${rate(direct).toFixed(1)} MB/s`, ratio: `${(rate(portal) / rate(direct)).toFixed(2)}×`, goal: '≥ 0.95×', met: rate(portal) / rate(direct) >= 0.95 });
  results.push(`cat 100 MB: direct ${rate(direct).toFixed(1)} MB/s (${direct.seconds.toFixed(2)} s), portal ${rate(portal).toFixed(1)} MB/s (${portal.seconds.toFixed(2)} s), ratio ${(rate(portal) / rate(direct)).toFixed(2)}`);
});

it('200 concurrent idle sessions on one backend', async () => {
  const N = 200;
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const before = process.memoryUsage();
  // The clients live in another process, so this process's memory is the backend's.
  const tickets: Array<{ url: string; protocols: string[] }> = [];
  for (let i = 0; i < N; i++) {
    const res = await fetch(`http://127.0.0.1:${port}/api/kube-troubleshoot/entities/component/default/term/sessions`, {
      method: 'POST',
      headers: { Authorization: mockCredentials.user.header('user:default/alice'), 'Content-Type': 'application/json' },
      body: JSON.stringify({ cluster: 'sandbox', pod: 'term', container: 'sh' }),
    });
    const s = (await res.json()) as { path: string; protocols: string[] };
    tickets.push({ url: `ws://127.0.0.1:${port}${s.path}`, protocols: [...s.protocols, bearerProtocol(mockCredentials.user.token('user:default/alice'))] });
  }
  const clients = spawn(
    process.execPath,
    [
      '-e',
      `const WebSocket = require(${JSON.stringify(require.resolve('ws'))});
       const tickets = JSON.parse(require('fs').readFileSync(0, 'utf8'));
       let ready = 0;
       for (const t of tickets) {
         const ws = new WebSocket(t.url, t.protocols, { origin: ${JSON.stringify(BENCH_ORIGIN)} });
         ws.on('message', d => { if (d[0] === 3 && ++ready === tickets.length) console.log('all ready'); });
         ws.on('error', e => console.error(e.message));
       }
       setInterval(() => {}, 1000);`,
    ],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  let out = '';
  clients.stdout.on('data', d => (out += d));
  clients.stdin.end(JSON.stringify(tickets));
  try {
    await waitFor(`${N} sessions to be ready`, () => (out.includes('all ready') ? true : undefined), 180_000);
    await new Promise(r => setTimeout(r, 2000));
    gc?.();
    const after = process.memoryUsage();
    const perSession = (after.rss - before.rss) / N / 1024;
    const heapPerSession = (after.heapUsed - before.heapUsed) / N / 1024;
    expect(perSession).toBeGreaterThan(0);
    addBenchRow({ figure: `idle terminal sessions on one replica (${N} measured)`, value: `${perSession.toFixed(0)} KiB each (RSS)`, direct: '—', ratio: '—', goal: '2,000 measured, ≤ 64 KiB each', met: N >= 2000 && perSession <= 64 });
    results.push(`${N} idle sessions: backend rss +${((after.rss - before.rss) / 1048576).toFixed(1)} MiB (${perSession.toFixed(0)} KiB/session), heap +${((after.heapUsed - before.heapUsed) / 1048576).toFixed(1)} MiB (${heapPerSession.toFixed(0)} KiB/session)`);
  } finally {
    clients.kill('SIGKILL');
  }
});
