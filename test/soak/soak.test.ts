import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { AddressInfo } from 'node:net';
import { mockCredentials } from '@backstage/backend-test-utils';
import { bearerProtocol, CreateSessionResponse, RecordingListResponse, RecordingResponse } from '@kube-troubleshoot/backstage-plugin-common';
import { BENCH_ORIGIN, startBenchBackend } from '../support/benchBackend';
import { CuttingProxy, startCuttingProxy } from '../support/cuttingProxy';
import { onLogMessages } from '../support/logStream';
import { socketsTo } from '../support/processSockets';
import { sandboxGet, strayProcesses } from '../support/sandboxDirect';
import { SandboxProcess, startSandboxProcess } from '../support/sandboxProcess';
import { TerminalClient } from '../support/terminalClient';
import { repoRoot, waitFor } from '../support/tools';
import type { SoakConfig, SoakReport } from './soakClients';

/**
 * Soak and faults on one backend (this process) against the sandbox (its own process), with the
 * clients in a third: many follows and terminals held open, a thousand sessions opened and closed,
 * recordings checked byte for byte under load, and a follow whose upstream is cut every few seconds.
 * `npm test` runs the short form (2 minutes of soak); `npm run soak` the long one (10 minutes).
 */
const MINUTES = Number(process.env.KT_SOAK_MINUTES ?? 2);
jest.setTimeout((MINUTES * 60 + 600) * 1000);

const WORKLOADS = `
apiVersion: apps/v1
kind: Deployment
metadata: { name: chatter, namespace: bench }
spec:
  replicas: 5
  selector: { matchLabels: { app: chatter } }
  template:
    metadata: { labels: { app: chatter, 'backstage.io/kubernetes-id': chatter } }
    spec:
      containers:
        - name: talk
          image: sandbox.local/toolbox:1
          command: [sh, -c, 'i=0; while true; do i=$((i+1)); echo "chatter $i"; sleep 0.1; done']
---
apiVersion: v1
kind: Pod
metadata: { name: term, namespace: bench, labels: { 'backstage.io/kubernetes-id': term } }
spec:
  containers: [{ name: sh, image: sandbox.local/toolbox:1 }]
---
apiVersion: v1
kind: Pod
metadata: { name: firehose, namespace: bench, labels: { 'backstage.io/kubernetes-id': firehose } }
spec:
  containers:
    - name: writer
      image: sandbox.local/toolbox:1
      command: [sh, -c, 'i=1; while true; do seq $i $((i+199)) | sed "s/^/firehose /"; i=$((i+200)); sleep 0.01; done']
`;

let sandbox: SandboxProcess;
let tmp: string;
let backend: Awaited<ReturnType<typeof startBenchBackend>>;
let base: string;
const sandboxPort = () => Number(new URL(sandbox.url).port);
const results: string[] = [];

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;
const heapMiB = () => {
  gc();
  return process.memoryUsage().heapUsed / 1048576;
};

const ALICE = 'user:default/alice';
const auth = { Authorization: mockCredentials.user.header(ALICE) };

async function newSession(pod = 'term', container = 'sh'): Promise<CreateSessionResponse> {
  const res = await fetch(`${base}/api/kube-troubleshoot/entities/component/default/term/sessions`, {
    method: 'POST',
    headers: { ...auth, 'Content-Type': 'application/json' },
    body: JSON.stringify({ cluster: 'sandbox', pod, container }),
  });
  if (res.status !== 201) throw new Error(`session refused: ${res.status} ${await res.text()}`);
  return (await res.json()) as CreateSessionResponse;
}

const openTerminal = async () => TerminalClient.open(base, await newSession(), { token: mockCredentials.user.token(ALICE), origin: BENCH_ORIGIN });

const strays = () => strayProcesses(sandbox, 'bench', 'term', 'sh');

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kt-soak-'));
  fs.writeFileSync(path.join(tmp, 'w.yaml'), WORKLOADS);
  sandbox = await startSandboxProcess(path.join(tmp, 'w.yaml'), tmp);
  backend = await startBenchBackend(sandbox, ['chatter', 'term', 'firehose'], { sessions: { maxPerUser: 0, maxPerReplica: 0, reattachGraceSeconds: 3 } });
  base = `http://127.0.0.1:${(backend.server.address() as AddressInfo).port}`;
  await waitFor('the sandbox pods to run', async () => {
    const pods = await sandboxGet<{ items: Array<{ status?: { phase?: string } }> }>(sandbox, '/api/v1/namespaces/bench/pods');
    return pods.items.length === 7 && pods.items.every(p => p.status?.phase === 'Running') ? true : undefined;
  }, 60_000);
});

afterAll(async () => {
  await backend?.stop();
  await sandbox?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  process.stdout.write(`\nsoak (${MINUTES} min)\n${results.join('\n')}\n`);
});

it(`500 log follows and 200 terminals on one backend for ${MINUTES} minutes: no error, memory flat, every terminal echoing at the end`, async () => {
  const chatter = (await sandboxGet<{ items: Array<{ metadata: { name: string } }> }>(sandbox, '/api/v1/namespaces/bench/pods?labelSelector=app%3Dchatter')).items.map(p => p.metadata.name);
  expect(chatter).toHaveLength(5);
  const logs = `${base}/api/kube-troubleshoot/entities/component/default/chatter/logs`;
  // 450 follows of one pod and 50 of every pod merged, each from now on.
  const follows = [
    ...Array.from({ length: 450 }, (_, i) => `${logs}?pod=${chatter[i % 5]}&container=talk&follow=true&tailLines=0`),
    ...Array.from({ length: 50 }, () => `${logs}?follow=true&tailLines=0`),
  ];
  const terminals: SoakConfig['terminals'] = [];
  for (let i = 0; i < 200; i++) {
    const s = await newSession();
    terminals.push({ url: `${base.replace('http', 'ws')}${s.path}`, protocols: [...s.protocols, bearerProtocol(mockCredentials.user.token(ALICE))] });
  }
  const config: SoakConfig = { follows, headers: auth, terminals, origin: BENCH_ORIGIN, durationMs: MINUTES * 60_000 };
  const clients: ChildProcess = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'soakClients.ts')], { cwd: repoRoot, stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  clients.stdout!.on('data', d => (out += d));
  clients.stdin!.end(JSON.stringify(config));
  const samples: Array<{ at: number; heap: number; rss: number }> = [];
  try {
    await waitFor('every follow and terminal to be open', () => (out.includes('all open') ? true : undefined), 180_000);
    const t0 = Date.now();
    const sample = () => samples.push({ at: (Date.now() - t0) / 1000, heap: heapMiB(), rss: process.memoryUsage().rss / 1048576 });
    sample();
    const sampler = setInterval(sample, 10_000);
    await waitFor('the soak to end', () => (out.trim().endsWith('}') ? true : undefined), MINUTES * 60_000 + 120_000);
    clearInterval(sampler);
    sample();
  } finally {
    clients.kill('SIGKILL');
  }
  const report = JSON.parse(out.trim().split('\n').at(-1)!) as SoakReport;
  // Memory: after the first minute (buffers, JIT and pools warmed up) to the end.
  const warm = samples.find(s => s.at >= Math.min(60, (MINUTES * 60) / 2)) ?? samples[0];
  const last = samples.at(-1)!;
  results.push(
    `follows: ${report.follows.opened} open, ${report.follows.lines} lines, ${report.follows.outOfSequence} out of sequence, longest silence ${report.follows.longestSilenceMs} ms, ${report.follows.errors.length} errors`,
    `terminals: ${report.terminals.opened} open, ${report.terminals.echoedAtStart} echoing at the start, ${report.terminals.echoedAtEnd} at the end (slowest ${report.terminals.slowestEndEchoMs} ms), ${report.terminals.closedEarly} closed early`,
    `backend heap ${samples[0].heap.toFixed(1)} MiB when all were open, ${warm.heap.toFixed(1)} at ${warm.at.toFixed(0)} s, ${last.heap.toFixed(1)} at the end (${last.at.toFixed(0)} s); rss ${samples[0].rss.toFixed(0)} → ${last.rss.toFixed(0)} MiB`,
  );
  expect(report.follows.errors).toEqual([]);
  expect(report.follows).toMatchObject({ opened: 500, outOfSequence: 0, endedEarly: 0 });
  expect(report.follows.longestSilenceMs).toBeLessThan(5000);
  // every follow got its pod's ~10 lines a second (the merged ones 50) for the whole run
  expect(report.follows.lines).toBeGreaterThan((450 * 10 + 50 * 50) * MINUTES * 60 * 0.8);
  expect(report.terminals.errors).toEqual([]);
  expect(report.terminals).toMatchObject({ opened: 200, ready: 200, echoedAtStart: 200, echoedAtEnd: 200, closedEarly: 0 });
  expect(last.heap - warm.heap).toBeLessThan(16);
});

it('1,000 terminal sessions opened and closed leave no process in the container and no upstream socket in the backend', async () => {
  const N = 1000;
  const PARALLEL = 20;
  const ways = ['client closes', 'shell exits', 'closed before ready', 'connection dropped'] as const;
  const failures: string[] = [];
  const started = Date.now();
  let next = 0;
  // The count is taken while sessions run too, so a count that sees nothing cannot pass.
  let peakSockets = 0;
  const counter = setInterval(() => (peakSockets = Math.max(peakSockets, socketsTo(sandboxPort()))), 200);
  const one = async (i: number) => {
    const way = ways[i % ways.length];
    const t = await openTerminal();
    if (way === 'closed before ready') {
      t.close();
      return;
    }
    await t.echo(`w${i}`);
    if (way === 'client closes') t.close();
    else if (way === 'shell exits') await t.exit(0);
    // A dropped connection keeps its shell for the grace period (3 s here), then ends it.
    else t.ws.terminate();
  };
  await Promise.all(
    Array.from({ length: PARALLEL }, async () => {
      for (let i = next++; i < N; i = next++) await one(i).catch(e => failures.push(`session ${i}: ${(e as Error).message}`));
    }),
  );
  const openedIn = (Date.now() - started) / 1000;
  clearInterval(counter);
  expect(failures).toEqual([]);
  expect(peakSockets).toBeGreaterThanOrEqual(PARALLEL / 2);
  // Everything ends within seconds (kept-alive API connections within the agent's 5 s idle timeout).
  const sockets = await waitFor('the backend to hold no socket to the cluster', () => (socketsTo(sandboxPort()) === 0 ? 0 : undefined), 30_000).catch(() => socketsTo(sandboxPort()));
  const stray = await waitFor('no process left in the container', async () => {
    const left = await strays();
    return left.length ? undefined : left;
  }, 30_000).catch(() => strays());
  results.push(`${N} sessions opened and closed (${ways.join(', ')}) in ${openedIn.toFixed(0)} s (up to ${peakSockets} sockets to the cluster at once): ${stray.length} processes left in the container, ${sockets} sockets to the cluster left in the backend`);
  expect(stray).toEqual([]);
  expect(sockets).toBe(0);
});

it('a recording is complete once its session is listed as ended, byte for byte, on a busy machine', async () => {
  // Two busy loops take both cores while 20 sessions print and exit at once.
  const hogs = [0, 1].map(() => spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore' }));
  const mismatches: string[] = [];
  try {
    await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const t = await openTerminal();
        await t.echo(`r${i}`);
        const id = t.ready!.recordingId!;
        // Multi-byte characters and a burst of output, then the exit as the last thing the browser sees.
        t.type(`printf 'é😀 %s\\n' r${i}; seq 1 5000; exit 3\r`);
        await t.waitFor(() => !!t.ended, 60_000);
        const seen = Buffer.concat(t.output);
        const listed = await waitFor(`recording ${id} to be listed as ended`, async () => {
          const list = (await (await fetch(`${base}/api/kube-troubleshoot/recordings?limit=100`, { headers: auth })).json()) as RecordingListResponse;
          const item = list.items.find(r => r.id === id);
          return item?.endedAt ? item : undefined;
        }, 60_000);
        const rec = (await (await fetch(`${base}/api/kube-troubleshoot/recordings/${id}?format=json`, { headers: auth })).json()) as RecordingResponse;
        const recorded = Buffer.from(
          rec.cast
            .split('\n')
            .slice(1)
            .filter(Boolean)
            .map(l => JSON.parse(l) as [number, string, string])
            .filter(e => e[1] === 'o')
            .map(e => e[2])
            .join(''),
          'utf8',
        );
        if (listed.endReason !== 'exit' || listed.exitCode !== 3) mismatches.push(`${id}: listed as ${listed.endReason} (${listed.exitCode})`);
        if (!recorded.equals(seen)) mismatches.push(`${id}: the browser saw ${seen.length} bytes, the recording holds ${recorded.length}; recorded ends ${JSON.stringify(recorded.subarray(-40).toString())}, seen ends ${JSON.stringify(seen.subarray(-40).toString())}`);
      }),
    );
  } finally {
    for (const h of hogs) h.kill('SIGKILL');
  }
  results.push(`20 recordings under load (2 busy loops): ${20 - mismatches.length} identical to what the browser saw`);
  expect(mismatches).toEqual([]);
});

describe('a follow whose upstream is cut every few seconds', () => {
  let proxy: CuttingProxy;
  let cutBackend: Awaited<ReturnType<typeof startBenchBackend>>;
  beforeAll(async () => {
    proxy = await startCuttingProxy({ host: '127.0.0.1', port: sandboxPort() });
    cutBackend = await startBenchBackend({ ...sandbox, url: `https://127.0.0.1:${proxy.port}` }, ['firehose']);
  });
  afterAll(async () => {
    await cutBackend?.stop();
    await proxy?.stop();
  });

  it('loses no line and repeats none, checked line by line', async () => {
    const port = (cutBackend.server.address() as AddressInfo).port;
    const numbers: number[] = [];
    const notices: string[] = [];
    const errors: string[] = [];
    let cuts = 0;
    const CUTS = 8;
    await new Promise<void>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const req = http.get(`http://127.0.0.1:${port}/api/kube-troubleshoot/entities/component/default/firehose/logs?follow=true&tailLines=0`, { headers: auth }, res => {
        onLogMessages(res, m => {
          if (m.type === 'line') numbers.push(Number(m.text.split(' ')[1]));
          else if (m.type === 'notice') notices.push(m.message);
          else if (m.type === 'error') errors.push(m.message);
        });
        res.on('error', () => undefined);
        // Cut every 2 to 3.5 s, wherever the stream is, then read on for a while after the last cut.
        const schedule = () => {
          timer = setTimeout(() => {
            proxy.cut();
            cuts += 1;
            if (cuts < CUTS) schedule();
            else
              timer = setTimeout(() => {
                req.destroy();
                resolve();
              }, 3000);
          }, 2000 + Math.random() * 1500);
        };
        schedule();
      });
      req.on('error', e => {
        clearTimeout(timer);
        if (cuts >= CUTS) resolve();
        else reject(e);
      });
    });
    const lost: number[] = [];
    const repeated: number[] = [];
    for (let i = 1; i < numbers.length; i++) {
      if (numbers[i] <= numbers[i - 1]) repeated.push(numbers[i]);
      else for (let n = numbers[i - 1] + 1; n < numbers[i] && lost.length < 20; n++) lost.push(n);
    }
    const resumed = notices.filter(n => /resumed without losing lines/.test(n)).length;
    results.push(`follow of a fast writer cut ${cuts} times: ${numbers.length} lines (${numbers[0]} to ${numbers.at(-1)}), ${lost.length} lost, ${repeated.length} repeated, resumed ${resumed} times`);
    expect(errors).toEqual([]);
    expect({ lost, repeated }).toEqual({ lost: [], repeated: [] });
    expect(resumed).toBeGreaterThanOrEqual(CUTS / 2);
    expect(numbers.length).toBeGreaterThan(10_000);
  });
});
