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

/**
 * Sets the terminal size of the pty that `script` (pid) made; the kernel sends SIGWINCH to the
 * foreground job. Retries briefly: the first resize often arrives before the command has started.
 */
export async function resizePty(scriptPid: number, size: TerminalSize): Promise<boolean> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const child = childrenOf(scriptPid)[0];
    if (child) {
      const ok = await new Promise<boolean>(resolve =>
        execFile('stty', ['-F', `/proc/${child}/fd/0`, 'rows', String(size.height), 'cols', String(size.width)], err => resolve(!err)),
      );
      if (ok) return true;
    }
    if (!fs.existsSync(`/proc/${scriptPid}`)) return false;
    await new Promise(r => setTimeout(r, 10));
  }
  return false;
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
