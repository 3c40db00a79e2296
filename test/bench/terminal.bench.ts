import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { mockCredentials } from '@backstage/backend-test-utils';
import { bearerProtocol } from '@kube-troubleshoot/backstage-plugin-common';
import { repoRoot, waitFor } from '../support/tools';
import { strayProcesses } from '../support/sandboxDirect';
import { SandboxProcess, startSandboxProcess } from '../support/sandboxProcess';
import { BENCH_ORIGIN } from '../support/benchBackend';
import { startBackendProcess } from '../support/backendProcess';
import { socketsTo } from '../support/processSockets';
import { addBenchRow } from './benchTable';
import type { Job, Target } from './terminalClients';

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
let backend: Awaited<ReturnType<typeof startBackendProcess>>;
let port: number;
const results: string[] = [];

const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((p / 100) * values.length))];
const ms = (v: number) => `${v.toFixed(2)} ms`;

/** An exec straight to the sandbox (what the portal's relay is compared with), as a client process connects. */
function directTarget(command: string[], viaPort?: number): Target {
  const q = new URLSearchParams({ container: 'sh', stdin: 'true', stdout: 'true', tty: 'true' });
  for (const c of command) q.append('command', c);
  const server = viaPort ? `wss://127.0.0.1:${viaPort}` : sandbox.url.replace('https', 'wss');
  return { kind: 'direct', url: `${server}/api/v1/namespaces/bench/pods/term/exec?${q}`, protocols: ['v5.channel.k8s.io'], ca: sandbox.caData, headers: { Authorization: `Bearer ${sandbox.admin}` } };
}

/** A terminal session through the backend, as the browser opens one: the ticket request, then the socket. */
function portalTarget(): Target {
  return {
    kind: 'portal',
    url: `ws://127.0.0.1:${port}`,
    protocols: [],
    origin: BENCH_ORIGIN,
    issue: {
      url: `http://127.0.0.1:${port}/api/kube-troubleshoot/entities/component/default/term/sessions`,
      headers: { Authorization: mockCredentials.user.header('user:default/alice') },
      body: { cluster: 'sandbox', pod: 'term', container: 'sh' },
      bearerProtocol: bearerProtocol(mockCredentials.user.token('user:default/alice')),
    },
  };
}

/** A TCP relay that only pipes bytes, in a process of its own. */
async function startPipeRelay(targetPort: number) {
  const script = `const net = require('node:net');
    const s = net.createServer(c => { const u = net.connect(${targetPort}, '127.0.0.1'); c.pipe(u); u.pipe(c); c.on('error', () => u.destroy()); u.on('error', () => c.destroy()); });
    s.listen(0, '127.0.0.1', () => console.log(s.address().port));`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const relayPort = await new Promise<number>(resolve => child.stdout!.once('data', d => resolve(Number(String(d).trim()))));
  return { port: relayPort, stop: () => child.kill('SIGKILL') };
}

/** Runs one job in a client process; resolves with its JSON answer (for `idle`, once all are ready, with the process to kill). */
function runClients<T>(job: Job): Promise<{ result: T; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'terminalClients.ts')], { cwd: repoRoot, stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  return new Promise((resolve, reject) => {
    // A malformed answer rejects (thrown in a listener, it would leave the test waiting for ever).
    const settle = () => {
      try {
        resolve({ result: JSON.parse(out) as T, child });
      } catch (e) {
        reject(new Error(`the clients' answer (${out.length} bytes) is not JSON: ${(e as Error).message}`));
      }
    };
    child.stdout!.on('data', d => {
      out += d;
      if (job.job === 'idle' && out.includes('\n')) settle();
    });
    child.on('error', reject);
    child.on('exit', code => (code === 0 && job.job !== 'idle' ? settle() : reject(new Error(`the clients exited with ${code}`))));
    child.stdin!.end(JSON.stringify(job));
  });
}

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kt-terminal-bench-'));
  fs.writeFileSync(path.join(tmp, 'w.yaml'), WORKLOADS);
  sandbox = await startSandboxProcess(path.join(tmp, 'w.yaml'), tmp);
  // The relay alone, as the issue's baseline was measured: recordings off.
  // The backend in a process of its own, as deployed: its memory and pauses are its own.
  backend = await startBackendProcess(sandbox, 'term', { sessions: { maxPerUser: 0, maxPerReplica: 0 }, recordings: { enabled: false } });
  port = backend.port;
  // The 100 MB file, made inside the container.
  await waitFor('the bench pod to make the file', () =>
    runClients({ job: 'cat', target: directTarget(['sh', '-c', `yes 0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ | head -c ${BIG} > /tmp/big; echo made`]), expected: 4 }).catch(() => undefined),
  );
});

afterAll(async () => {
  await backend?.stop();
  await sandbox?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  process.stdout.write(`\nterminal relay (portal vs direct to the sandbox, same run)\n${results.join('\n')}\n`);
});

// First, while the backend's process has done nothing else yet: memory freed by earlier work (the
// `cat`) would be reused by the sessions and hide what they cost.
it('concurrent idle sessions on one backend', async () => {
  const N = Number(process.env.KT_BENCH_IDLE ?? 2000);
  // Direct: the same number of idle exec sessions held by a client of the sandbox (what each
  // costs anyone holding one: its TLS connection to the API server), measured in that process.
  const held = await runClients<{ ready: number; rssPerSession: number }>({ job: 'idle', targets: Array.from({ length: N }, () => directTarget(['sh'])) });
  held.child.kill('SIGKILL');
  const directPerSession = held.result.rssPerSession / 1024;
  expect(held.result.ready).toBe(N);
  await waitFor('the direct sessions to end', async () => {
    const left = await strayProcesses(sandbox, 'bench', 'term', 'sh');
    return left.length === 0 ? true : undefined;
  }, 120_000);
  // KT_BENCH_SNAPSHOT=dir: the backend's heap snapshots before, during and after the sessions.
  const snapshot = (name: string) => (process.env.KT_BENCH_SNAPSHOT ? path.join(process.env.KT_BENCH_SNAPSHOT, name) : undefined);
  const before = await backend.memory({ gc: true, snapshot: snapshot('idle-before.heapsnapshot') });
  const targets = Array.from({ length: N }, portalTarget);
  const { result, child } = await runClients<{ ready: number }>({ job: 'idle', targets });
  try {
    expect(result.ready).toBe(N);
    const after = await backend.memory({ gc: true, snapshot: snapshot('idle-after.heapsnapshot') });
    const per = (k: keyof NodeJS.MemoryUsage) => `${k} ${((after[k] - before[k]) / N / 1024).toFixed(1)}`;
    results.push(`${N} idle sessions, per session KiB: ${(['rss', 'heapUsed', 'heapTotal', 'external', 'arrayBuffers'] as const).map(per).join(', ')}; a direct client holding ${N} exec sessions: rss ${directPerSession.toFixed(1)} per session`);
    const perSession = (after.rss - before.rss) / N / 1024;
    addBenchRow({
      figure: `idle terminal sessions on one replica (${N.toLocaleString('en-US')} measured), RSS each`,
      value: `${perSession.toFixed(1)} KiB`,
      direct: `${directPerSession.toFixed(1)} KiB (a client holding the exec sessions itself)`,
      ratio: `${(perSession / directPerSession).toFixed(2)}×`,
      goal: '2,000 measured, ≤ 64 KiB each',
      met: N >= 2000 && perSession <= 64,
    });
  } finally {
    child.kill('SIGKILL');
  }
  // The clients gone, every session ends: no socket to the cluster is left, and the heap comes back.
  const sandboxPort = Number(new URL(sandbox.url).port);
  await waitFor('the backend to close every exec', () => socketsTo(sandboxPort, backend.pid) === 0 || undefined, 60_000);
  const ended = await backend.memory({ gc: true, snapshot: snapshot('idle-ended.heapsnapshot') });
  const heapLeft = (ended.heapUsed - before.heapUsed) / 1024 / 1024;
  results.push(`after the ${N} sessions ended: heapUsed ${heapLeft.toFixed(1)} MiB above before`);
  expect(heapLeft).toBeLessThan(N / 200); // under 5 KiB a session: nothing of them is kept
});

it('keystroke echo round trip', async () => {
  // Direct, through a bare TCP relay (for reference: what any extra hop costs on this machine, bytes
  // piped and nothing parsed, in a process of its own) and through the portal, open side by side in
  // one client and typed into key by key in turns: 3,000 keystrokes each.
  const relay = await startPipeRelay(Number(new URL(sandbox.url).port));
  const [direct, bare, portal] = await runClients<number[][]>({
    job: 'echo',
    n: 3000,
    sessions: [{ target: directTarget(['cat']) }, { target: directTarget(['cat'], relay.port) }, { target: portalTarget(), setup: "printf '<%s>\\n' go; exec cat\r" }],
  })
    .then(r => r.result)
    .finally(() => relay.stop());
  expect(portal).toHaveLength(3000);
  const p50 = [percentile(direct, 50), percentile(portal, 50)];
  const p99 = [percentile(direct, 99), percentile(portal, 99)];
  results.push(`keystroke echo (n=3000): direct p50 ${ms(p50[0])} p99 ${ms(p99[0])}; portal p50 ${ms(p50[1])} p99 ${ms(p99[1])}; ratio p50 ${(p50[1] / p50[0]).toFixed(2)}, p99 ${(p99[1] / p99[0]).toFixed(2)}`);
  results.push(`  a bare TCP relay in between (reference): p50 ${ms(percentile(bare, 50))} p99 ${ms(percentile(bare, 99))}`);
  addBenchRow({ figure: 'keystroke echo p99 through a bare TCP relay (reference: one more hop, nothing parsed)', value: ms(percentile(bare, 99)), direct: ms(p99[0]), ratio: `+${(percentile(bare, 99) - p99[0]).toFixed(2)} ms`, goal: '—', met: true });
  addBenchRow({ figure: 'keystroke echo p99 through the portal (n=3,000)', value: ms(p99[1]), direct: ms(p99[0]), ratio: `+${(p99[1] - p99[0]).toFixed(2)} ms`, goal: '≤ direct + 1 ms', met: p99[1] <= p99[0] + 1 });
  addBenchRow({ figure: 'keystroke echo p50', value: ms(p50[1]), direct: ms(p50[0]), ratio: `${(p50[1] / p50[0]).toFixed(2)}×`, goal: '≤ 1.5×', met: p50[1] <= 1.5 * p50[0] });
});

it('throughput of cat of 100 MB on a terminal', async () => {
  // A terminal turns each \n into \r\n: count until every line arrived. Rounds of direct, portal,
  // portal, direct (the run after another pays for its garbage; a slower moment hits both), the
  // median round's ratio.
  const expected = (BIG + BIG / 63) * 0.999;
  const cat = async (through: 'direct' | 'portal') => {
    const r = (
      through === 'direct'
        ? await runClients<{ bytes: number; seconds: number }>({ job: 'cat', target: directTarget(['cat', '/tmp/big']), expected })
        : await runClients<{ bytes: number; seconds: number }>({ job: 'cat', target: portalTarget(), command: 'cat /tmp/big; exit\r', expected })
    ).result;
    expect(r.bytes).toBeGreaterThan(BIG);
    return r;
  };
  const rate = (a: { bytes: number; seconds: number }, b: { bytes: number; seconds: number }) => (a.bytes + b.bytes) / (a.seconds + b.seconds) / 1e6;
  const rounds: Array<{ direct: number; portal: number }> = [];
  for (let round = 0; round < 3; round++) {
    const d1 = await cat('direct');
    const p1 = await cat('portal');
    const p2 = await cat('portal');
    const d2 = await cat('direct');
    rounds.push({ direct: rate(d1, d2), portal: rate(p1, p2) });
  }
  rounds.sort((a, b) => a.portal / a.direct - b.portal / b.direct);
  const { direct, portal } = rounds[1];
  addBenchRow({ figure: '`cat` of 100 MB through a terminal', value: `${portal.toFixed(1)} MB/s`, direct: `${direct.toFixed(1)} MB/s`, ratio: `${(portal / direct).toFixed(2)}×`, goal: '≥ 0.95×', met: portal / direct >= 0.95 });
  results.push(`cat 100 MB, three rounds of four: ${rounds.map(p => `${p.portal.toFixed(1)} / ${p.direct.toFixed(1)} MB/s (${(p.portal / p.direct).toFixed(2)})`).join(', ')}`);
});
