import { ChildProcess, spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import { nowNs } from './clock';
import { formatEntry, LogEntry } from './containerLog';
import { descendantsOf, PTY_ENV, PtyResizer, TerminalSize, withPty } from './runtime/pty';

export interface ProcessSpec {
  argv: string[];
  env: Record<string, string>;
  cwd?: string;
  logFile: string;
  /** Keep the process's stdin open for attach (the container's `stdin: true`). */
  stdin?: boolean;
  /** Run on a pseudo-terminal (the container's `tty: true`): one output stream, resizable. */
  tty?: boolean;
  /** Wraps the final command line (e.g. so it dies with the sandbox). */
  guard?: (argv: string[]) => string[];
  /** The process runs in its own root: its first descendant with another root is the container's init. */
  isolated?: boolean;
}

export interface ExitInfo {
  exitCode: number;
  signal?: NodeJS.Signals;
}

export type OutputStream = 'stdout' | 'stderr';

/**
 * One run of a container: a real process in its own process group whose stdout and stderr are
 * timestamped line by line into the CRI log file. Emits `entry` per log entry, `output` per raw
 * chunk (for attach) and `exit` once.
 */
export class ContainerProcess extends EventEmitter {
  private child?: ChildProcess;
  private readonly fd: number;
  private readonly pending = { stdout: '', stderr: '' };
  private exited?: ExitInfo;
  private init?: number;
  private resizer?: PtyResizer;
  readonly startedAt = new Date();

  constructor(private readonly spec: ProcessSpec) {
    super();
    // Every log follower and exec of the container listens: as many as there are clients.
    this.setMaxListeners(0);
    this.fd = fs.openSync(spec.logFile, 'a');
  }

  get pid() {
    return this.child?.pid;
  }

  get exitInfo() {
    return this.exited;
  }

  get tty() {
    return Boolean(this.spec.tty);
  }

  get stdinOpen() {
    return Boolean(this.child?.stdin && !this.child.stdin.writableEnded && this.spec.stdin);
  }

  /** The container's main process (host pid), to enter its namespaces; found after start. */
  get initPid() {
    return this.init;
  }

  /** Starts the process; resolves to an error message when it could not be started. */
  start(): Promise<string | undefined> {
    const bare = this.spec.tty ? withPty(this.spec.argv) : this.spec.argv;
    const argv = this.spec.guard ? this.spec.guard(bare) : bare;
    const [cmd, ...args] = argv;
    return new Promise(resolve => {
      const child = spawn(cmd, args, {
        env: this.spec.tty ? { ...this.spec.env, ...PTY_ENV } : this.spec.env,
        cwd: this.spec.cwd,
        detached: true, // own process group, so stop() reaches its children too
        // A terminal always gets a stdin pipe: `script` ends the session at its stdin's end.
        stdio: [this.spec.stdin || this.spec.tty ? 'pipe' : 'ignore', 'pipe', 'pipe'],
      });
      this.child = child;
      child.stdin?.on('error', () => undefined); // the process may exit without reading
      child.stdout!.on('data', (d: Buffer) => this.onData('stdout', d));
      child.stderr!.on('data', (d: Buffer) => this.onData('stderr', d));
      child.once('spawn', () => {
        this.findInit().then(() => resolve(undefined), () => resolve(undefined));
      });
      child.once('error', err => {
        this.finish({ exitCode: 128 });
        resolve(err.message);
      });
      // A container ends with its main process. Isolated, its pid namespace takes the rest along; as
      // plain processes the rest of its group goes here, or a leftover child would hold its pipes open.
      if (!this.spec.isolated) child.once('exit', () => child.pid && killGroup(child.pid, 'SIGKILL'));
      // 'close' waits for the pipes to drain, so no output is lost after exit.
      child.once('close', (code, signal) => {
        this.finish({ exitCode: code ?? 128 + signalNumber(signal), signal: signal ?? undefined });
      });
    });
  }

  private async findInit() {
    const pid = this.child!.pid!;
    if (!this.spec.isolated && !this.spec.tty) {
      this.init = pid;
      return;
    }
    // Up to 10 s: a loaded machine may take a while to set up the namespaces and mounts.
    for (let i = 0; i < 2000 && !this.exited; i++) {
      const found = descendantsOf(pid).find(p => (this.spec.isolated ? rootOf(p) !== '/' && rootOf(p) !== undefined : true));
      if (found) {
        this.init = found;
        return;
      }
      await new Promise(r => setTimeout(r, 5));
    }
  }

  private onData(stream: OutputStream, data: Buffer) {
    this.emit('output', stream, data);
    const text = this.pending[stream] + data.toString('utf8');
    const lines = text.split('\n');
    this.pending[stream] = lines.pop()!;
    for (const content of lines) this.write({ ns: nowNs(), stream, partial: false, content: content.replace(/\r$/, '') });
  }

  private write(entry: LogEntry) {
    fs.writeSync(this.fd, formatEntry(entry));
    this.emit('entry', entry);
  }

  writeStdin(data: Buffer) {
    if (this.stdinOpen) this.child!.stdin!.write(data);
  }

  /** Ends the container's stdin (stdinOnce after the first attach): the process reads EOF. */
  closeStdin() {
    if (this.child?.stdin && !this.child.stdin.writableEnded) this.child.stdin.end();
  }

  resize(size: TerminalSize) {
    if (!this.spec.tty || !this.child?.pid) return;
    this.resizer ??= new PtyResizer(this.child.pid);
    this.resizer.resize(size);
  }

  private finish(info: ExitInfo) {
    if (this.exited) return;
    for (const stream of ['stdout', 'stderr'] as const) {
      if (this.pending[stream]) {
        this.write({ ns: nowNs(), stream, partial: true, content: this.pending[stream] });
        this.pending[stream] = '';
      }
    }
    this.exited = info;
    fs.closeSync(this.fd);
    this.emit('exit', info);
  }

  /** SIGTERM to the whole group and the container's init, SIGKILL after the grace period; resolves once exited. */
  stop(graceMs: number): Promise<ExitInfo> {
    if (this.exited) return Promise.resolve(this.exited);
    return new Promise(resolve => {
      this.once('exit', resolve);
      const pid = this.child?.pid;
      if (!pid) return;
      const signalAll = (signal: NodeJS.Signals) => {
        killGroup(pid, signal);
        // The init may lead its own session (tty) or namespace; SIGKILL to a pid namespace's init ends all of it.
        if (this.init) {
          killGroup(this.init, signal);
          killPid(this.init, signal);
        }
      };
      signalAll('SIGTERM');
      const timer = setTimeout(() => signalAll('SIGKILL'), graceMs);
      this.once('exit', () => {
        clearTimeout(timer);
        signalAll('SIGKILL'); // leftovers of the group (background children)
      });
    });
  }
}

function rootOf(pid: number): string | undefined {
  try {
    return fs.readlinkSync(`/proc/${pid}/root`);
  } catch {
    return undefined;
  }
}

export function killGroup(pid: number, signal: NodeJS.Signals) {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

export function killPid(pid: number, signal: NodeJS.Signals) {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

function signalNumber(signal: NodeJS.Signals | null): number {
  const numbers: Partial<Record<NodeJS.Signals, number>> = { SIGKILL: 9, SIGTERM: 15, SIGINT: 2, SIGHUP: 1 };
  return (signal && numbers[signal]) || 0;
}
