import { spawn } from 'node:child_process';
import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { mockCredentials } from '@backstage/backend-test-utils';
import { cpuSecondsOf, startBackendProcess } from '../support/backendProcess';
import { addBenchRow } from './benchTable';
import { waitFor } from '../support/tools';
import { sandboxGet, sandboxSend } from '../support/sandboxDirect';
import { SandboxProcess, startSandboxProcess } from '../support/sandboxProcess';

/**
 * Log throughput through the backend relay against reading the sandbox directly, measured in the
 * same run, and the backend's memory while a slow client follows a fast log (backpressure).
 */
jest.setTimeout(300_000);

const LINES = 200_000;
/** Rounds of four reads per figure (KT_BENCH_ROUNDS overrides): more narrow the median on a noisy machine. */
const ROUNDS = Number(process.env.KT_BENCH_ROUNDS ?? 7);
const WORKLOADS = `
apiVersion: apps/v1
kind: Deployment
metadata: { name: bulk, namespace: bench }
spec:
  replicas: 2
  selector: { matchLabels: { app: bulk } }
  template:
    metadata: { labels: { app: bulk, 'backstage.io/kubernetes-id': bulk } }
    spec:
      containers:
        - name: writer
          image: sandbox.local/toolbox:1
          command: [sh, -c, 'seq 1 ${LINES} | sed "s/^/bulk log line number /"; sleep 3600']
`;
/** A fast writer for the slow-client test, created only for it (it would load the sandbox while throughput is measured). */
const FIREHOSE = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'firehose', namespace: 'bench', labels: { 'backstage.io/kubernetes-id': 'firehose' } },
  spec: { containers: [{ name: 'writer', image: 'sandbox.local/toolbox:1', command: ['sh', '-c', 'while true; do seq 1 2000 | sed "s/^/firehose line /"; sleep 0.05; done'] }] },
};

/** The sandbox runs in its own process, so the backend's memory is measured alone. */
let sandbox: SandboxProcess;
let tmp: string;
let backend: Awaited<ReturnType<typeof startBackendProcess>>;
const results: string[] = [];

/**
 * The reader measured: in a process of its own, as a browser is never in the backend's process (and
 * the direct reader is in one too, so both sides pay the same). It reads every URL at once and
 * reports the lines, bytes and seconds from its first request to its last byte.
 */
function readElsewhere(urls: string[], headers: Record<string, string>, ca?: string): Promise<Reading> {
  const script = `
    const https = require('node:https'); const http = require('node:http');
    const { urls, headers, ca } = JSON.parse(require('node:fs').readFileSync(0, 'utf8'));
    const started = process.hrtime.bigint();
    let lines = 0, bytes = 0;
    Promise.all(urls.map(url => new Promise((resolve, reject) => {
      (url.startsWith('https') ? https : http).get(url, { headers, ca }, res => {
        res.on('data', d => { bytes += d.length; for (let i = d.indexOf(10); i !== -1; i = d.indexOf(10, i + 1)) lines += 1; });
        res.on('end', resolve); res.on('error', reject);
      }).on('error', reject);
    }))).then(() => { const c = process.cpuUsage(); process.stdout.write(JSON.stringify({ lines, bytes, seconds: Number(process.hrtime.bigint() - started) / 1e9, cpu: (c.user + c.system) / 1e6 })); }, e => { console.error(e.message); process.exit(1); });
  `;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', d => (out += d));
    child.on('error', reject);
    child.on('exit', code => {
      if (code !== 0) reject(new Error(`the reader exited with ${code}`));
      else {
        try {
          resolve(JSON.parse(out));
        } catch (e) {
          reject(new Error(`the reader's answer (${out.length} bytes) is not JSON: ${(e as Error).message}`));
        }
      }
    });
    child.stdin.end(JSON.stringify({ urls, headers, ca }));
  });
}

/** What one read took: its lines and bytes, and the CPU seconds of each process meanwhile. */
interface Reading {
  lines: number;
  bytes: number;
  seconds: number;
  /** CPU seconds of the reader process. */
  cpu: number;
  sandboxCpu?: number;
  backendCpu?: number;
  /** Seconds the sandbox's main thread waited for a CPU, and slept. */
  sandboxWait?: number;
  sandboxSleep?: number;
}

/**
 * Where the sandbox's time went in a read, from the kernel's scheduler statistics of its main thread
 * (`/proc/PID/schedstat`): on a CPU, waiting for one (another process had it), or asleep (nothing
 * to do, or its socket full because the reader did not keep up).
 */
function schedOf(pid: number) {
  const [run, wait] = fs.readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ').map(Number);
  return { run: run / 1e9, wait: wait / 1e9 };
}

/** Runs one read, noting the CPU the sandbox's and the backend's processes used meanwhile. */
async function measured(read: () => Promise<Reading>): Promise<Reading> {
  const s0 = cpuSecondsOf(sandbox.proc.pid!);
  const b0 = backend.cpuSeconds();
  const q0 = schedOf(sandbox.proc.pid!);
  const r = await read();
  const q1 = schedOf(sandbox.proc.pid!);
  return { ...r, sandboxCpu: cpuSecondsOf(sandbox.proc.pid!) - s0, backendCpu: backend.cpuSeconds() - b0, sandboxWait: q1.wait - q0.wait, sandboxSleep: r.seconds - (q1.run - q0.run) - (q1.wait - q0.wait) };
}

let podNames: string[] = [];
const pods = () => podNames;

async function listBulkPods(): Promise<string[]> {
  const list = await sandboxGet<{ items: Array<{ metadata: { name: string } }> }>(sandbox, '/api/v1/namespaces/bench/pods?labelSelector=app%3Dbulk');
  return list.items.map(p => p.metadata.name);
}

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kt-bench-'));
  fs.writeFileSync(path.join(tmp, 'w.yaml'), WORKLOADS);
  sandbox = await startSandboxProcess(path.join(tmp, 'w.yaml'), tmp);
  podNames = await waitFor('two bulk pods', async () => ((await listBulkPods()).length === 2 ? listBulkPods() : undefined));
  // The backend in a process of its own, as deployed: its CPU, memory and pauses are its own.
  backend = await startBackendProcess(sandbox, ['bulk', 'firehose'], {}, sandbox.readonly);
  // wait until both writers have written everything
  const { url, admin, caData } = sandbox;
  await waitFor(
    'both writers to finish',
    async () => {
      const counts = await Promise.all(pods().map(p => readElsewhere([`${url}/api/v1/namespaces/bench/pods/${p}/log?container=writer`], { Authorization: `Bearer ${admin}` }, caData)));
      return counts.every(c => c.lines >= LINES) ? true : undefined;
    },
    150_000,
  );
});

afterAll(async () => {
  await backend?.stop();
  await sandbox?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
  process.stdout.write(`\n${results.join('\n')}\n`);
});

const rate = (r: { lines: number; seconds: number }) => Math.round(r.lines / r.seconds);

/** Two reads of the same kind as one: their lines, bytes and seconds added up. */
const joined = (a: Reading, b: Reading): Reading => ({
  lines: a.lines + b.lines,
  bytes: a.bytes + b.bytes,
  seconds: a.seconds + b.seconds,
  cpu: a.cpu + b.cpu,
  sandboxCpu: (a.sandboxCpu ?? 0) + (b.sandboxCpu ?? 0),
  backendCpu: (a.backendCpu ?? 0) + (b.backendCpu ?? 0),
  sandboxWait: (a.sandboxWait ?? 0) + (b.sandboxWait ?? 0),
  sandboxSleep: (a.sandboxSleep ?? 0) + (b.sandboxSleep ?? 0),
});

/**
 * Direct and relayed reads in rounds of four, direct, relayed, relayed, direct: the read after
 * another runs on a sandbox with the last one's garbage (measured: the second of two direct reads
 * costs the sandbox ~10% more CPU per line), and a machine that slows or speeds up during a round
 * hits both alike. Each round's ratio compares its two relayed reads to its two direct ones; of
 * five rounds the median is the result.
 */
async function compareRounds(rounds: number, direct: () => Promise<Reading>, relayed: () => Promise<Reading>) {
  const measuredRounds: Array<{ direct: Reading; relayed: Reading; ratio: number }> = [];
  for (let i = 0; i < rounds; i++) {
    const d1 = await measured(direct);
    const r1 = await measured(relayed);
    const r2 = await measured(relayed);
    const d2 = await measured(direct);
    const d = joined(d1, d2);
    const r = joined(r1, r2);
    measuredRounds.push({ direct: d, relayed: r, ratio: rate(r) / rate(d) });
  }
  measuredRounds.sort((x, y) => x.ratio - y.ratio);
  return { ...measuredRounds[Math.floor(rounds / 2)], all: measuredRounds.map(p => p.ratio.toFixed(2)) };
}

/** Where the CPU went in a read, per line: the sandbox, the backend, the reader. */
const cpuPerLine = (r: Reading) =>
  `CPU per line: sandbox ${(((r.sandboxCpu ?? 0) / r.lines) * 1e6).toFixed(2)} µs, backend ${(((r.backendCpu ?? 0) / r.lines) * 1e6).toFixed(2)} µs, reader ${((r.cpu / r.lines) * 1e6).toFixed(2)} µs; ${(r.bytes / r.lines).toFixed(0)} bytes per line; ` +
  `the sandbox waited for a CPU ${(((r.sandboxWait ?? 0) / r.seconds) * 100).toFixed(1)}% of the time and slept ${(((r.sandboxSleep ?? 0) / r.seconds) * 100).toFixed(1)}%`;

it('log lines per second: one pod, through the backend vs direct', async () => {
  const [pod] = pods();
  const { port } = backend;
  const { direct, relayed, all } = await compareRounds(
    ROUNDS,
    () => readElsewhere([`${sandbox.url}/api/v1/namespaces/bench/pods/${pod}/log?container=writer&timestamps=true`], { Authorization: `Bearer ${sandbox.admin}` }, sandbox.caData),
    () => readElsewhere([`http://127.0.0.1:${port}/api/kube-troubleshoot/entities/component/default/bulk/logs?pod=${pod}&container=writer`], { Authorization: mockCredentials.user.header() }),
  );
  expect(direct.lines).toBe(2 * LINES);
  expect(relayed.lines).toBe(2 * (LINES + 1)); // + the closing {"type":"end"}
  results.push(`one pod (${LINES} lines): direct ${rate(direct)} lines/s, backend ${rate(relayed)} lines/s, ratio ${(rate(relayed) / rate(direct)).toFixed(2)}`);
  results.push(`  ratios of the rounds: ${all.join(', ')}`, `  direct: ${cpuPerLine(direct)}`, `  relayed: ${cpuPerLine(relayed)}`);
  const ratio = rate(relayed) / rate(direct);
  addBenchRow({ figure: `log lines/s through the backend, one pod (${LINES.toLocaleString('en-US')} lines)`, value: `${rate(relayed).toLocaleString('en-US')}`, direct: `${rate(direct).toLocaleString('en-US')}`, ratio: `${ratio.toFixed(2)}×`, goal: '≥ 0.95×', met: ratio >= 0.95 });
});

it('log lines per second: all pods merged, through the backend vs direct (both pods in parallel)', async () => {
  const { port } = backend;
  const { direct, relayed, all } = await compareRounds(
    ROUNDS,
    () => readElsewhere(pods().map(p => `${sandbox.url}/api/v1/namespaces/bench/pods/${p}/log?container=writer&timestamps=true`), { Authorization: `Bearer ${sandbox.admin}` }, sandbox.caData),
    () => readElsewhere([`http://127.0.0.1:${port}/api/kube-troubleshoot/entities/component/default/bulk/logs`], { Authorization: mockCredentials.user.header() }),
  );
  expect(relayed.lines).toBe(2 * (2 * LINES + 1));
  results.push(`all pods merged (${2 * LINES} lines): direct ${rate(direct)} lines/s, backend ${rate(relayed)} lines/s, ratio ${(rate(relayed) / rate(direct)).toFixed(2)}`);
  results.push(`  ratios of the rounds: ${all.join(', ')}`, `  direct: ${cpuPerLine(direct)}`, `  relayed: ${cpuPerLine(relayed)}`);
  const ratio = rate(relayed) / rate(direct);
  addBenchRow({ figure: `the same, all pods merged (${(2 * LINES).toLocaleString('en-US')} lines)`, value: `${rate(relayed).toLocaleString('en-US')}`, direct: `${rate(direct).toLocaleString('en-US')}`, ratio: `${ratio.toFixed(2)}×`, goal: '≥ 0.95×', met: ratio >= 0.95 });
});

it('memory stays bounded while a slow client follows a fast log', async () => {
  const { port } = backend;
  await sandboxSend(sandbox, 'POST', '/api/v1/namespaces/bench/pods', FIREHOSE);
  await waitFor('the firehose to write', async () => ((await sandboxGet<{ status?: { phase?: string } }>(sandbox, '/api/v1/namespaces/bench/pods/firehose')).status?.phase === 'Running' ? true : undefined));
  const heapBefore = (await backend.memory({ gc: true })).heapUsed;
  let received = 0;
  let peakHeap = heapBefore;
  await new Promise<void>((resolve, reject) => {
    const req = http.get(
      { host: '127.0.0.1', port, path: '/api/kube-troubleshoot/entities/component/default/firehose/logs?follow=true&tailLines=0', headers: { Authorization: mockCredentials.user.header() } },
      res => {
        // A slow reader: 16 KiB every 100 ms (~160 KiB/s) against a writer of ~40,000 lines/s.
        res.pause();
        const tick = setInterval(() => {
          let got = 0;
          for (let chunk = res.read(); chunk !== null; chunk = got < 16384 ? res.read() : null) got += chunk.length;
          received += got;
          void backend.memory().then(m => (peakHeap = Math.max(peakHeap, m.heapUsed)));
        }, 100);
        setTimeout(() => {
          clearInterval(tick);
          req.destroy();
          resolve();
        }, 10_000);
      },
    );
    req.on('error', e => (e.message.includes('socket hang up') ? resolve() : reject(e)));
  });
  const written = fs.readFileSync(
    fs.readdirSync(path.join(sandbox.dataDir, 'pods')).filter(d => d.includes('firehose')).map(d => path.join(sandbox.dataDir, 'pods', d, 'writer', '0.log'))[0],
  ).length;
  const growthMb = (peakHeap - heapBefore) / 1024 / 1024;
  results.push(
    `slow client following a fast log for 10 s: the container wrote ${(written / 1024 / 1024).toFixed(1)} MiB, the client read ${(received / 1024 / 1024).toFixed(1)} MiB, backend heap grew at most ${growthMb.toFixed(1)} MiB`,
  );
  addBenchRow({ figure: 'backend heap while a slow client follows a fast log (10 s)', value: `+${growthMb.toFixed(1)} MiB`, direct: '—', ratio: '—', goal: '≤ +50 MB', met: growthMb * 1.048576 <= 50 });
  expect(growthMb).toBeLessThan(64);
});
