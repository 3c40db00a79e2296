import { ChildProcess } from 'node:child_process';
import { ContainerProcess, killGroup, OutputStream } from './ContainerProcess';
import { killProcessesWithEnv } from './processes';
import { PtyResizer, TerminalSize } from './runtime/pty';

/** How a stream ended, as the kubelet reports it on the error channel. */
export type StreamEnd = { kind: 'exit'; code: number } | { kind: 'error'; message: string } | { kind: 'detached' };

/**
 * One side of an exec or attach: what the WebSocket relay reads from and writes to. Exec is a new
 * process; attach is a view onto the container's own stdio.
 */
export interface StreamEndpoint {
  readonly tty: boolean;
  onOutput(listener: (stream: OutputStream, data: Buffer) => void): void;
  writeStdin(data: Buffer): void;
  endStdin(): void;
  resize(size: TerminalSize): void;
  onEnd(listener: (end: StreamEnd) => void): void;
  /** The client went away: exec kills its process; attach lets go (and ends stdin with stdinOnce). */
  detach(): void;
}

/** An exec that failed before a process existed (e.g. no such executable in the container). */
export function failedExec(message: string, tty = false): StreamEndpoint {
  return {
    tty,
    onOutput: () => undefined,
    writeStdin: () => undefined,
    endStdin: () => undefined,
    resize: () => undefined,
    onEnd: listener => setImmediate(() => listener({ kind: 'error', message })),
    detach: () => undefined,
  };
}

/** An exec'd process; `marker` is an environment entry carried by it and its descendants. */
export function execEndpoint(child: ChildProcess, tty: boolean, marker: string): StreamEndpoint {
  let ended: StreamEnd | undefined;
  const endListeners: Array<(end: StreamEnd) => void> = [];
  child.once('close', (code, signal) => {
    ended = { kind: 'exit', code: code ?? (signal === 'SIGKILL' ? 137 : 128 + 15) };
    for (const l of endListeners) l(ended);
  });
  child.once('error', err => {
    if (ended) return;
    ended = { kind: 'error', message: err.message };
    for (const l of endListeners) l(ended);
  });
  child.stdin?.on('error', () => undefined); // the process may exit before reading its stdin
  const resizer = tty && child.pid ? new PtyResizer(child.pid) : undefined;
  return {
    tty,
    onOutput: listener => {
      child.stdout?.on('data', (d: Buffer) => listener('stdout', d));
      child.stderr?.on('data', (d: Buffer) => listener('stderr', d));
    },
    writeStdin: data => {
      if (child.stdin && !child.stdin.writableEnded) child.stdin.write(data);
    },
    endStdin: () => child.stdin?.end(),
    resize: size => resizer?.resize(size),
    onEnd: listener => (ended ? listener(ended) : endListeners.push(listener)),
    detach: () => {
      if (ended) return;
      if (child.pid) killGroup(child.pid, 'SIGKILL');
      // A terminal's command leads its own session; the marker finds it and whatever it started.
      killProcessesWithEnv(marker, pid => {
        killGroup(pid, 'SIGKILL');
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone
        }
      });
    },
  };
}

/** A view onto a running container's stdio (attach). */
export function attachEndpoint(proc: ContainerProcess, stdinOnce: boolean): StreamEndpoint {
  const cleanups: Array<() => void> = [];
  return {
    tty: proc.tty,
    onOutput: listener => {
      proc.on('output', listener);
      cleanups.push(() => proc.off('output', listener));
    },
    writeStdin: data => proc.writeStdin(data),
    endStdin: () => {
      if (stdinOnce) proc.closeStdin();
    },
    resize: size => proc.resize(size),
    onEnd: listener => {
      // The kubelet ends an attach with success when the container stops, whatever its exit code.
      const onExit = () => listener({ kind: 'exit', code: 0 });
      if (proc.exitInfo) {
        onExit();
        return;
      }
      proc.once('exit', onExit);
      cleanups.push(() => proc.off('exit', onExit));
    },
    detach: () => {
      for (const c of cleanups.splice(0)) c();
      if (stdinOnce) proc.closeStdin();
    },
  };
}
