import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { mockCredentials } from '@backstage/backend-test-utils';
import { bearerProtocol, decodeFrame, encodeFrame } from '@kube-troubleshoot/backstage-plugin-common';
import { SandboxProcess, startSandboxProcess } from '../support/sandboxProcess';
import { BENCH_ORIGIN } from '../support/benchBackend';
import { startBackendProcess } from '../support/backendProcess';
import { addBenchRow } from './benchTable';

/**
 * Time from "Start" to a shell prompt, in a debug container and in a pod copy, through the portal
 * against `kubectl debug` on the same sandbox, in the same run.
 */
jest.setTimeout(600_000);

const RUNS = 5;
const WORKLOADS = `
apiVersion: v1
kind: Pod
metadata: { name: app, namespace: bench, labels: { 'backstage.io/kubernetes-id': app } }
spec:
  containers:
    - { name: main, image: sandbox.local/toolbox:1 }
`;

let sandbox: SandboxProcess;
let tmp: string;
let kubeconfig: string;
let backend: Awaited<ReturnType<typeof startBackendProcess>>;
let port: number;
const results: string[] = [];
const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];

/** POSTs to the backend as alice, opens the session's socket, and resolves at the first prompt drawn. */
async function portalPrompt(route: 'debug' | 'forks', body: object): Promise<number> {
  const t0 = performance.now();
  const res = await fetch(`http://127.0.0.1:${port}/api/kube-troubleshoot/entities/component/default/app/${route}`, {
    method: 'POST',
    headers: { Authorization: mockCredentials.user.header('user:default/alice'), 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (res.status !== 201) throw new Error(`${route}: ${res.status} ${await res.text()}`);
  const session = (await res.json()) as { path: string; protocols: string[] };
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${session.path}`, [...session.protocols, bearerProtocol(mockCredentials.user.token('user:default/alice'))], { origin: BENCH_ORIGIN });
    let screen = '';
    // As the browser does: the terminal's size, and nothing typed: the prompt must come by itself.
    ws.on('open', () => ws.send(encodeFrame({ type: 'resize', size: { cols: 120, rows: 40 } })));
    ws.on('message', (d: Buffer) => {
      const f = decodeFrame(d);
      if (f.type !== 'stdout') return;
      screen += Buffer.from(f.data).toString();
      if (/[#$] $/.test(screen)) {
        const ms = performance.now() - t0;
        ws.close();
        resolve(ms);
      }
    });
    ws.on('error', reject);
  });
}

/** Whether the bench pod's container runs, asked of the sandbox as kubectl would. */
async function podRuns(): Promise<boolean> {
  const out = await new Promise<string>(resolve => {
    const child = spawn('kubectl', ['--kubeconfig', kubeconfig, '-n', 'bench', 'get', 'pod', 'app', '-o', 'jsonpath={.status.containerStatuses[0].state.running.startedAt}']);
    let text = '';
    child.stdout.on('data', d => (text += d));
    child.on('close', () => resolve(text));
    child.on('error', () => resolve(''));
  });
  return out.trim().length > 0;
}

/** Runs `kubectl debug -it ...` on a terminal (script) and resolves at the first prompt. */
function kubectlPrompt(args: string[]): Promise<number> {
  const t0 = performance.now();
  const line = ['kubectl', '--kubeconfig', kubeconfig, '-n', 'bench', 'debug', '-it', ...args].map(a => `'${a}'`).join(' ');
  const child = spawn('script', ['-qfc', line, '/dev/null'], { env: { ...process.env, SHELL: '/bin/sh' } });
  return new Promise((resolve, reject) => {
    let screen = '';
    let pressed = false;
    // Cleared at the prompt: a timer left behind would keep Jest from exiting for a minute.
    const timer = setTimeout(() => reject(new Error(`kubectl debug gave no prompt: ${screen}`)), 60_000);
    child.stdout.on('data', d => {
      screen += d;
      if (!pressed && /try pressing enter/.test(screen)) {
        pressed = true;
        child.stdin.write('\r');
      }
      if (/[#$] $/.test(`${screen.trimEnd()} `)) {
        const ms = performance.now() - t0;
        clearTimeout(timer);
        child.stdin.write('exit\r');
        setTimeout(() => child.kill('SIGKILL'), 500);
        resolve(ms);
      }
    });
    child.on('error', reject);
    child.on('exit', () => {
      clearTimeout(timer);
      reject(new Error(`kubectl debug ended without a prompt: ${screen}`));
    });
  });
}

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kt-debug-bench-'));
  fs.writeFileSync(path.join(tmp, 'w.yaml'), WORKLOADS);
  sandbox = await startSandboxProcess(path.join(tmp, 'w.yaml'), tmp);
  kubeconfig = path.join(tmp, 'kubeconfig');
  backend = await startBackendProcess(sandbox, 'app', { sessions: { maxPerUser: 0 }, debug: { maxForksPerUser: 100 } });
  port = backend.port;
  // The pod runs before anything is timed.
  const deadline = Date.now() + 30_000;
  while (!(await podRuns())) {
    if (Date.now() > deadline) throw new Error('the bench pod did not start');
    await new Promise(r => setTimeout(r, 50));
  }
});

afterAll(async () => {
  await backend?.stop();
  await sandbox?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  process.stdout.write(`\ndebug: Start to a shell prompt (median of ${RUNS}), portal vs kubectl debug on the same sandbox\n${results.join('\n')}\n`);
});

it('debug container: Start to prompt', async () => {
  const portal: number[] = [];
  const kubectl: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    portal.push(await portalPrompt('debug', { cluster: 'sandbox', pod: 'app', targetContainer: 'main', reuse: false }));
    kubectl.push(await kubectlPrompt(['app', '--image=sandbox.local/debug-tools:1', '--target=main', '--profile=general', '--', 'sh']));
  }
  expect(portal).toHaveLength(RUNS);
  results.push(`debug container: portal ${median(portal).toFixed(0)} ms, kubectl debug ${median(kubectl).toFixed(0)} ms, ratio ${(median(portal) / median(kubectl)).toFixed(2)}`);
  addBenchRow({ figure: 'debug container: Start to a shell prompt (median)', value: `${median(portal).toFixed(0)} ms`, direct: `${median(kubectl).toFixed(0)} ms (kubectl debug)`, ratio: `${(median(portal) / median(kubectl)).toFixed(2)}×`, goal: '—' });
});

it('pod copy: Start to prompt', async () => {
  const portal: number[] = [];
  const kubectl: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    portal.push(await portalPrompt('forks', { cluster: 'sandbox', pod: 'app', container: 'main' }));
    kubectl.push(await kubectlPrompt(['app', `--copy-to=app-copy-${i}`, '--container=main', '--profile=general', '--', 'sh']));
  }
  expect(portal).toHaveLength(RUNS);
  results.push(`pod copy: portal ${median(portal).toFixed(0)} ms, kubectl debug --copy-to ${median(kubectl).toFixed(0)} ms, ratio ${(median(portal) / median(kubectl)).toFixed(2)}`);
  addBenchRow({ figure: 'pod copy: Debug a copy to a shell prompt (median)', value: `${median(portal).toFixed(0)} ms`, direct: `${median(kubectl).toFixed(0)} ms (kubectl debug --copy-to)`, ratio: `${(median(portal) / median(kubectl)).toFixed(2)}×`, goal: '—' });
});
