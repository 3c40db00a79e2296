import { ChildProcess, spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import { nowNs } from './clock';
import { formatEntry, LogEntry } from './containerLog';

export interface ProcessSpec {
  argv: string[];
  env: Record<string, string>;
  cwd?: string;
  logFile: string;
}

export interface ExitInfo {
  exitCode: number;
  signal?: NodeJS.Signals;
}

/**
 * One run of a container: a real process in its own process group whose stdout and stderr are
 * timestamped line by line into the CRI log file. Emits `entry` per log entry and `exit` once.
 */
export class ContainerProcess extends EventEmitter {
  private child?: ChildProcess;
  private readonly fd: number;
  private readonly pending = { stdout: '', stderr: '' };
  private exited?: ExitInfo;
  readonly startedAt = new Date();

  constructor(private readonly spec: ProcessSpec) {
    super();
    this.fd = fs.openSync(spec.logFile, 'a');
  }

  get pid() {
    return this.child?.pid;
  }

  get exitInfo() {
    return this.exited;
  }

  /** Starts the process; resolves to an error message when it could not be started. */
  start(): Promise<string | undefined> {
    const [cmd, ...args] = this.spec.argv;
    return new Promise(resolve => {
      const child = spawn(cmd, args, {
        env: this.spec.env,
        cwd: this.spec.cwd,
        detached: true, // own process group, so stop() reaches its children too
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      this.child = child;
      child.stdout!.on('data', (d: Buffer) => this.onData('stdout', d));
      child.stderr!.on('data', (d: Buffer) => this.onData('stderr', d));
      child.once('spawn', () => resolve(undefined));
      child.once('error', err => {
        this.finish({ exitCode: 128 });
        resolve(err.message);
      });
      // 'close' waits for the pipes to drain, so no output is lost after exit.
      child.once('close', (code, signal) => {
        this.finish({ exitCode: code ?? 128 + signalNumber(signal), signal: signal ?? undefined });
      });
    });
  }

  private onData(stream: 'stdout' | 'stderr', data: Buffer) {
    const text = this.pending[stream] + data.toString('utf8');
    const lines = text.split('\n');
    this.pending[stream] = lines.pop()!;
    for (const content of lines) this.write({ ns: nowNs(), stream, partial: false, content });
  }

  private write(entry: LogEntry) {
    fs.writeSync(this.fd, formatEntry(entry));
    this.emit('entry', entry);
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

  /** SIGTERM to the whole group, SIGKILL after the grace period; resolves once it has exited. */
  stop(graceMs: number): Promise<ExitInfo> {
    if (this.exited) return Promise.resolve(this.exited);
    return new Promise(resolve => {
      this.once('exit', resolve);
      const pid = this.child?.pid;
      if (!pid) return;
      killGroup(pid, 'SIGTERM');
      const timer = setTimeout(() => killGroup(pid, 'SIGKILL'), graceMs);
      this.once('exit', () => {
        clearTimeout(timer);
        killGroup(pid, 'SIGKILL'); // leftovers of the group (background children)
      });
    });
  }
}

function killGroup(pid: number, signal: NodeJS.Signals) {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

function signalNumber(signal: NodeJS.Signals | null): number {
  const numbers: Partial<Record<NodeJS.Signals, number>> = { SIGKILL: 9, SIGTERM: 15, SIGINT: 2, SIGHUP: 1 };
  return (signal && numbers[signal]) || 0;
}
