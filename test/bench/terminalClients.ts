/**
 * The terminal bench's clients, in a process of their own (a browser, or kubectl, is never in the
 * backend's process): keystroke echo, a big `cat`, and idle sessions held open, over an exec
 * straight to the sandbox ("direct") or a session through the portal. Run by terminal.bench.ts with
 * `node --import tsx`; the job comes on stdin, the result goes to stdout as JSON.
 */
import fs from 'node:fs';
import v8 from 'node:v8';
import vm from 'node:vm';
import WebSocket from 'ws';
import { decodeFrame, encodeFrame } from '@kube-troubleshoot/backstage-plugin-common';

export type Kind = 'direct' | 'portal';
/**
 * Where to connect: a sandbox exec URL with its token and CA; or, through the portal, the session
 * request a browser makes first (its ticket is asked for right before the socket opens, as the
 * Terminal tab does: tickets are short-lived).
 */
export interface Target {
  kind: Kind;
  url: string;
  protocols: string[];
  headers?: Record<string, string>;
  ca?: string;
  origin?: string;
  issue?: { url: string; headers: Record<string, string>; body: unknown; bearerProtocol: string };
}
export type Job =
  | { job: 'echo'; sessions: Array<{ target: Target; setup?: string }>; n: number }
  | { job: 'cat'; target: Target; command?: string; expected: number }
  | { job: 'idle'; targets: Target[] };

const job = JSON.parse(fs.readFileSync(0, 'utf8')) as Job;

async function open(target: Target): Promise<WebSocket> {
  let t = target;
  if (t.issue) {
    const res = await fetch(t.issue.url, { method: 'POST', headers: { ...t.issue.headers, 'Content-Type': 'application/json' }, body: JSON.stringify(t.issue.body) });
    if (res.status !== 201) throw new Error(`session refused: ${res.status} ${await res.text()}`);
    const session = (await res.json()) as { path: string; protocols: string[] };
    t = { ...t, url: `${t.url}${session.path}`, protocols: [...session.protocols, t.issue.bearerProtocol] };
  }
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(t.url, t.protocols, { ca: t.ca, headers: t.headers, origin: t.origin, perMessageDeflate: false });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

/** Output bytes of either kind of socket (channel 1 upstream, stdout frames through the portal). */
const outputOf = (kind: Kind, data: Buffer): Buffer | undefined => {
  if (kind === 'direct') return data[0] === 1 ? data.subarray(1) : undefined;
  const frame = decodeFrame(data);
  return frame.type === 'stdout' ? Buffer.from(frame.data) : undefined;
};
const input = (kind: Kind, text: string) => (kind === 'direct' ? Buffer.concat([Buffer.from([0]), Buffer.from(text)]) : Buffer.from(encodeFrame({ type: 'stdin', data: new TextEncoder().encode(text) })));

/** A session typed into one key at a time: each round trip resolves with its milliseconds. */
async function echoSession(t: Target, setup?: string) {
  const ws = await open(t);
  let pending: ((d: Buffer) => void) | undefined;
  let seen = '';
  ws.on('message', (d: Buffer) => {
    const out = outputOf(t.kind, d);
    if (!out) return;
    seen = (seen + out.toString('latin1')).slice(-64);
    pending?.(out);
  });
  if (setup) {
    ws.send(input(t.kind, setup));
    // the setup's own marker (printed, not typed) says the shell runs it
    const until = performance.now() + 10_000;
    while (!seen.includes('<go>')) {
      if (performance.now() > until) throw new Error(`${t.kind}: the setup did not run within 10 s; the terminal showed ${JSON.stringify(seen)}`);
      await new Promise(r => setTimeout(r, 20));
    }
  }
  /** Types a key; resolves with the milliseconds until its echo, or rejects after `timeoutMs`. */
  const roundTrip = (key: string, timeoutMs = 10_000) =>
    new Promise<number>((resolve, reject) => {
      const t0 = performance.now();
      const timer = setTimeout(() => reject(new Error(`${t.kind}: no echo of ${JSON.stringify(key)} within ${timeoutMs} ms`)), timeoutMs);
      pending = out => {
        if (!out.includes(key)) return;
        clearTimeout(timer);
        resolve(performance.now() - t0);
      };
      ws.send(input(t.kind, key));
    });
  // A key typed before the terminal is set up can be lost: typed until one echoes, unmeasured.
  for (let attempt = 0; ; attempt++) {
    const echoed = await roundTrip('.', 500).then(() => true, () => false);
    if (echoed) break;
    if (attempt === 20) throw new Error(`${t.kind}: the terminal never echoed a key`);
  }
  return { roundTrip, close: () => ws.close() };
}

/**
 * Keystroke echo over several sessions at once, taking turns key by key (the first in turn
 * rotates), so a slower moment of the machine hits every one alike. Milliseconds per session.
 */
async function echo(sessions: Array<{ target: Target; setup?: string }>, n: number): Promise<number[][]> {
  const typed = await Promise.all(sessions.map(s => echoSession(s.target, s.setup)));
  const samples = typed.map(() => [] as number[]);
  for (let i = 0; i < n; i++) {
    const key = String.fromCharCode(97 + (i % 26));
    for (let k = 0; k < typed.length; k++) {
      const which = (i + k) % typed.length;
      samples[which].push(await typed[which].roundTrip(key));
    }
  }
  for (const s of typed) s.close();
  return samples;
}

async function cat(t: Target, expected: number, command?: string) {
  const ws = await open(t);
  return new Promise<{ bytes: number; seconds: number }>(resolve => {
    let bytes = 0;
    const t0 = performance.now();
    ws.on('message', (d: Buffer) => {
      const out = outputOf(t.kind, d);
      if (out) bytes += out.length;
      if (bytes >= expected) {
        resolve({ bytes, seconds: (performance.now() - t0) / 1000 });
        ws.close();
      }
    });
    if (command) ws.send(input(t.kind, command));
  });
}

async function idle(targets: Target[]) {
  v8.setFlagsFromString('--expose-gc');
  const gcAll = vm.runInNewContext('gc') as (o: object) => void;
  // As the backend is measured (backendProcessMain.ts): after a last-resort GC, which also gives back
  // the heap's headroom grown while the sessions opened.
  const gc = () => gcAll({ type: 'major', execution: 'sync', flavor: 'last-resort' });
  gc();
  const before = process.memoryUsage().rss;
  const sockets: WebSocket[] = [];
  let ready = 0;
  const hold = async (t: Target) => {
    const ws = await open(t);
    sockets.push(ws);
    // Ready: the portal's ready frame, or (direct) the shell's first output.
    await new Promise<void>(resolve =>
      ws.on('message', function first(d: Buffer) {
        if (t.kind === 'direct' ? d[0] === 1 : decodeFrame(d).type === 'ready') {
          ws.off('message', first);
          ready += 1;
          resolve();
        }
      }),
    );
  };
  // Opened 50 at a time, as users arrive (thousands of connects in one burst overflow a listen backlog).
  let next = 0;
  await Promise.all(Array.from({ length: 50 }, async () => {
    for (let i = next++; i < targets.length; i = next++) await hold(targets[i]);
  }));
  await new Promise(r => setTimeout(r, 1000));
  gc();
  process.stdout.write(`${JSON.stringify({ ready, rssPerSession: (process.memoryUsage().rss - before) / targets.length })}\n`);
  // held open until killed
  setInterval(() => undefined, 60_000);
}

/** Writes the answer and exits once it has left: stdout is a pipe, and an exit right after a write cuts what is still queued. */
const answer = (value: unknown) => process.stdout.write(JSON.stringify(value), () => process.exit(0));

async function main() {
  if (job.job === 'echo') answer(await echo(job.sessions, job.n));
  else if (job.job === 'cat') answer(await cat(job.target, job.expected, job.command));
  else await idle(job.targets);
}

main().catch(e => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exit(1);
});
