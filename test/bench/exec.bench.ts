import WebSocket from 'ws';
import { Pod, Sandbox, startSandbox } from '@internal/sandbox-cluster';
import { waitFor } from '../support/tools';

/**
 * Baselines for the Terminal and Debug tabs: exec straight to the sandbox (no portal), so the
 * portal's relay can be measured against them in the same way.
 */
jest.setTimeout(300_000);

let sandbox: Sandbox;
const results: string[] = [];

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
};
const ms = (v: number) => `${v.toFixed(2)} ms`;

function openExec(query: string): Promise<{ ws: WebSocket; opened: number }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${sandbox.url.replace('https', 'wss')}/api/v1/namespaces/default/pods/bench/exec?container=c&${query}`, ['v5.channel.k8s.io'], {
      ca: sandbox.caData,
      headers: { Authorization: `Bearer ${sandbox.tokens.admin}` },
    });
    ws.once('open', () => resolve({ ws, opened: performance.now() }));
    ws.once('error', reject);
  });
}

beforeAll(async () => {
  sandbox = await startSandbox({ pullDelayMs: 5 });
  sandbox.cluster.createPod({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'bench', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'sandbox.local/toolbox:1' }] } } as Pod);
  await waitFor('the bench pod', () => sandbox.cluster.store.get<Pod>('pods', 'default', 'bench')?.status?.containerStatuses?.every(s => 'running' in s.state) || undefined);
});

afterAll(async () => {
  await sandbox?.stop();
  process.stdout.write(`\nexec baselines (direct to the sandbox, isolation: ${sandbox?.cluster.isolation.isolated ? 'namespaces' : 'plain processes'})\n${results.join('\n')}\n`);
});

it('exec start: upgrade, and a whole `true` until its exit status', async () => {
  const upgrade: number[] = [];
  const whole: number[] = [];
  for (let i = 0; i < 100; i++) {
    const t0 = performance.now();
    const { ws, opened } = await openExec('command=true&stdout=true');
    upgrade.push(opened - t0);
    await new Promise<void>(resolve =>
      ws.on('message', (d: Buffer) => {
        if (d[0] === 3) {
          whole.push(performance.now() - t0);
          resolve();
        }
      }),
    );
    ws.close();
  }
  expect(whole).toHaveLength(100);
  results.push(`exec start (n=100): upgrade p50 ${ms(percentile(upgrade, 50))} p99 ${ms(percentile(upgrade, 99))}; command done p50 ${ms(percentile(whole, 50))} p99 ${ms(percentile(whole, 99))}`);
});

it('keystroke echo on a tty: one byte in, its echo out', async () => {
  const { ws } = await openExec('command=cat&stdin=true&stdout=true&tty=true');
  let pending: ((d: Buffer) => void) | undefined;
  ws.on('message', (d: Buffer) => {
    if (d[0] === 1 && d.length > 1) pending?.(d);
  });
  ws.send(Buffer.from([4, ...Buffer.from('{"Width":80,"Height":24}')]));
  await new Promise(r => setTimeout(r, 300));
  const samples: number[] = [];
  const echoOf = (key: number) =>
    new Promise<void>(resolve => {
      pending = d => d.includes(key) && resolve();
      ws.send(Buffer.from([0, key]));
    });
  for (let i = 0; i < 1000; i++) {
    const t0 = performance.now();
    await echoOf(97 + (i % 26));
    samples.push(performance.now() - t0);
  }
  expect(samples).toHaveLength(1000);
  ws.close();
  results.push(`tty keystroke echo (n=1000): p50 ${ms(percentile(samples, 50))} p99 ${ms(percentile(samples, 99))}`);
});
