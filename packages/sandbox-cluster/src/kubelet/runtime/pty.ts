import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { shellQuote } from './rootfs';

/**
 * Terminals without a native module: util-linux `script` runs the command on a new pseudo-terminal
 * and relays it over pipes; the terminal is resized with `stty` on the command's side of it.
 */
export function withPty(argv: string[]): string[] {
  // -q quiet, -e exit with the command's status, -f flush at once; the typescript goes nowhere.
  return ['script', '-qefc', `exec ${argv.map(shellQuote).join(' ')}`, '/dev/null'];
}

/** The environment `script` needs: it runs the command through $SHELL -c. */
export const PTY_ENV = { SHELL: '/bin/sh' };

export interface TerminalSize {
  width: number;
  height: number;
}

/** Parses a resize frame: `{"Width":80,"Height":24}` (kubectl) or `{"width":..,"height":..}` (client-node). */
export function parseTerminalSize(text: string): TerminalSize | undefined {
  try {
    // kubectl's encoder ends each object with a newline; several may arrive in one frame.
    const last = text.trim().split('\n').pop() ?? '';
    const raw = JSON.parse(last) as Record<string, unknown>;
    const width = Number(raw.Width ?? raw.width);
    const height = Number(raw.Height ?? raw.height);
    if (!Number.isInteger(width) || !Number.isInteger(height) || width < 0 || height < 0 || width > 65535 || height > 65535) return undefined;
    return { width, height };
  } catch {
    return undefined;
  }
}

function childrenOf(pid: number): number[] {
  try {
    return fs
      .readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

/** Sets the size of the terminal of a process on the pty's slave side; the kernel sends SIGWINCH. */
function setSize(pid: number, size: TerminalSize): Promise<boolean> {
  return new Promise(resolve =>
    execFile('stty', ['-F', `/proc/${pid}/fd/0`, 'rows', String(size.height), 'cols', String(size.width)], err => resolve(!err)),
  );
}

/**
 * Resizes the pty that `script` (pid) made. Sizes are applied in order and only the latest pending
 * one counts; the first often arrives before the command has started, so it is retried for a while.
 */
export class PtyResizer {
  private latest?: TerminalSize;
  private running = false;

  constructor(private readonly scriptPid: number, private readonly patienceMs = 5000) {}

  resize(size: TerminalSize) {
    this.latest = size;
    if (!this.running) void this.drain();
  }

  private async drain() {
    this.running = true;
    const deadline = Date.now() + this.patienceMs;
    while (this.latest) {
      const size = this.latest;
      const child = childrenOf(this.scriptPid)[0];
      if (child && (await setSize(child, size))) {
        if (this.latest === size) this.latest = undefined;
        continue;
      }
      if (!fs.existsSync(`/proc/${this.scriptPid}`) || Date.now() > deadline) break;
      await new Promise(r => setTimeout(r, 10));
    }
    this.latest = undefined;
    this.running = false;
  }
}

/** The descendants of a process, breadth first. */
export function descendantsOf(pid: number): number[] {
  const out: number[] = [];
  const queue = [pid];
  while (queue.length) {
    for (const c of childrenOf(queue.shift()!)) {
      out.push(c);
      queue.push(c);
    }
  }
  return out;
}
