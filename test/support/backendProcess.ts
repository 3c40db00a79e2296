import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from './tools';
import type { SandboxProcess } from './sandboxProcess';

/** What backendProcessMain.ts is started with: startBenchBackend's arguments, as JSON. */
export interface BackendProcessOptions {
  sandbox: Pick<SandboxProcess, 'url' | 'caData' | 'admin'>;
  entities: string | string[];
  kubeTroubleshoot: Record<string, Record<string, number | boolean>>;
  token: string;
}
/** Asked over IPC: memory now, after a last-resort GC if `gc`, with a heap snapshot written to `snapshot` if set. */
export interface MemoryQuestion {
  id: number;
  gc?: boolean;
  snapshot?: string;
}
export interface BackendProcessReply {
  id: number;
  memory: NodeJS.MemoryUsage;
}

/** CPU seconds (user + system) a process has used so far, from /proc (Linux). */
export function cpuSecondsOf(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
}

/**
 * The benches' backend (startBenchBackend) in a process of its own, as deployed: what it costs in
 * memory and CPU is read from that process alone, and the bench process's own work (Jest, heap
 * snapshots, bookkeeping) never pauses the relay measured.
 */
export async function startBackendProcess(
  sandbox: BackendProcessOptions['sandbox'],
  entities: string | string[],
  kubeTroubleshoot: BackendProcessOptions['kubeTroubleshoot'] = {},
  token = sandbox.admin,
) {
  // KT_BACKEND_PROF=dir: a CPU profile of the backend, written there when it stops.
  const prof = process.env.KT_BACKEND_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.KT_BACKEND_PROF] : [];
  const child = spawn(process.execPath, [...prof, '--expose-gc', '--import', 'tsx', path.join(__dirname, 'backendProcessMain.ts')], {
    cwd: repoRoot,
    stdio: ['pipe', 'pipe', 'inherit', 'ipc'],
  });
  const options: BackendProcessOptions = { sandbox: { url: sandbox.url, caData: sandbox.caData, admin: sandbox.admin }, entities, kubeTroubleshoot, token };
  child.stdin!.end(JSON.stringify(options));
  const exited = new Promise<number | null>(resolve => child.once('exit', code => resolve(code)));
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', d => {
      out += d;
      if (out.includes('\n')) resolve((JSON.parse(out) as { port: number }).port);
    });
    void exited.then(code => reject(new Error(`the bench backend exited with ${code} before it listened`)));
  });
  let asked = 0;
  const waiting = new Map<number, (m: NodeJS.MemoryUsage) => void>();
  child.on('message', (m: BackendProcessReply) => waiting.get(m.id)?.(m.memory));
  return {
    port,
    pid: child.pid!,
    /** The backend's memory now: after a last-resort GC with `gc` (and a heap snapshot written with `snapshot`). */
    memory(ask: Omit<MemoryQuestion, 'id'> = {}): Promise<NodeJS.MemoryUsage> {
      const id = ++asked;
      return new Promise(resolve => {
        waiting.set(id, m => {
          waiting.delete(id);
          resolve(m);
        });
        child.send({ ...ask, id } satisfies MemoryQuestion);
      });
    },
    cpuSeconds: () => cpuSecondsOf(child.pid!),
    /** Stops it (its test backend and database clients) and waits for the process to end. */
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.disconnect();
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
