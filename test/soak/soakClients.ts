/**
 * The soak's clients, in a process of their own (as browsers are), so the test process's memory is
 * the backend's: log follows over HTTP and terminals over WebSocket, held open for `durationMs`,
 * then a report on stdout. Run by soak.test.ts with `node --import tsx`; its config comes on stdin.
 */
import http from 'node:http';
import fs from 'node:fs';
import WebSocket from 'ws';
import { decodeFrame, encodeFrame, Frame } from '@kube-troubleshoot/backstage-plugin-common';
import { onLogMessages } from '../support/logStream';

export interface SoakConfig {
  follows: string[];
  headers: Record<string, string>;
  terminals: Array<{ url: string; protocols: string[] }>;
  origin: string;
  durationMs: number;
}

export interface SoakReport {
  follows: {
    opened: number;
    lines: number;
    /** Lines whose number was not the one after the last of their pod (lost or repeated). */
    outOfSequence: number;
    /** The longest time any follow went without a line, once everything was open. */
    longestSilenceMs: number;
    errors: string[];
    endedEarly: number;
  };
  terminals: { opened: number; ready: number; echoedAtStart: number; echoedAtEnd: number; closedEarly: number; errors: string[]; slowestEndEchoMs: number };
}

const config = JSON.parse(fs.readFileSync(0, 'utf8')) as SoakConfig;
const report: SoakReport = {
  follows: { opened: 0, lines: 0, outOfSequence: 0, longestSilenceMs: 0, errors: [], endedEarly: 0 },
  terminals: { opened: 0, ready: 0, echoedAtStart: 0, echoedAtEnd: 0, closedEarly: 0, errors: [], slowestEndEchoMs: 0 },
};
let finishing = false;
const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });

function follow(url: string) {
  const last = new Map<string, number>();
  let lastLineAt = 0;
  const req = http.get(url, { headers: config.headers, agent }, res => {
    if (res.statusCode !== 200) {
      report.follows.errors.push(`${url}: HTTP ${res.statusCode}`);
      res.resume();
      return;
    }
    report.follows.opened += 1;
    onLogMessages(res, m => {
      if (m.type === 'line') {
        const now = Date.now();
        if (lastLineAt) report.follows.longestSilenceMs = Math.max(report.follows.longestSilenceMs, now - lastLineAt);
        lastLineAt = now;
        report.follows.lines += 1;
        const n = Number(m.text.split(' ')[1]);
        const prev = last.get(m.pod);
        if (prev !== undefined && n !== prev + 1) report.follows.outOfSequence += 1;
        last.set(m.pod, n);
      } else if (m.type === 'error') report.follows.errors.push(`${url}: ${m.message}`);
    });
    res.on('end', () => {
      if (!finishing) report.follows.endedEarly += 1;
    });
    res.on('error', () => undefined);
  });
  req.on('error', e => {
    if (!finishing) report.follows.errors.push(`${url}: ${e.message}`);
  });
  return req;
}

class Terminal {
  screen = '';
  ready = false;
  readonly ws: WebSocket;
  constructor(t: { url: string; protocols: string[] }) {
    this.ws = new WebSocket(t.url, t.protocols, { origin: config.origin });
    this.ws.on('open', () => {
      report.terminals.opened += 1;
      this.send({ type: 'resize', size: { cols: 100, rows: 30 } });
    });
    this.ws.on('message', (data: Buffer) => {
      const f = decodeFrame(data);
      if (f.type === 'stdout') this.screen = (this.screen + Buffer.from(f.data).toString('utf8')).slice(-4096);
      else if (f.type === 'ready') {
        this.ready = true;
        report.terminals.ready += 1;
      } else if (f.type === 'ping') this.send({ type: 'pong', data: f.data });
      else if (f.type === 'ended' && !finishing) report.terminals.errors.push(`ended: ${f.ended.reason} ${f.ended.message}`);
    });
    this.ws.on('close', () => {
      if (!finishing) report.terminals.closedEarly += 1;
    });
    this.ws.on('error', e => report.terminals.errors.push(e.message));
  }
  send(frame: Frame) {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(encodeFrame(frame));
  }
  /** Types a command whose output the typed line does not contain; resolves with the round trip, or -1. */
  async echo(word: string, ms: number): Promise<number> {
    const t0 = Date.now();
    this.send({ type: 'stdin', data: new TextEncoder().encode(`printf '<%s>\\n' ${word}\r`) });
    while (Date.now() - t0 < ms) {
      if (this.screen.includes(`<${word}>`)) return Date.now() - t0;
      await new Promise(r => setTimeout(r, 50));
    }
    return -1;
  }
}

async function main() {
  const follows = config.follows.map(follow);
  const terminals = config.terminals.map(t => new Terminal(t));
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline && (report.follows.opened + report.follows.errors.length < follows.length || terminals.some(t => !t.ready && t.ws.readyState <= WebSocket.OPEN))) {
    await new Promise(r => setTimeout(r, 100));
  }
  const start = await Promise.all(terminals.map((t, i) => t.echo(`s${i}`, 30_000)));
  report.terminals.echoedAtStart = start.filter(ms => ms >= 0).length;
  // Silences count from here: the soak itself, not the minute everything was being opened.
  report.follows.longestSilenceMs = 0;
  process.stdout.write('all open\n');
  await new Promise(r => setTimeout(r, config.durationMs));
  const end = await Promise.all(terminals.map((t, i) => t.echo(`e${i}`, 30_000)));
  report.terminals.echoedAtEnd = end.filter(ms => ms >= 0).length;
  report.terminals.slowestEndEchoMs = Math.max(0, ...end);
  finishing = true;
  for (const f of follows) f.destroy();
  for (const t of terminals) t.ws.close();
  process.stdout.write(`${JSON.stringify(report)}\n`);
  setTimeout(() => process.exit(0), 500);
}

void main();
