import WebSocket from 'ws';
import { SandboxProcess } from './sandboxProcess';

/** Runs a command in a container straight on the sandbox (not through the backend); resolves with its stdout. */
export function execInSandbox(sandbox: SandboxProcess, namespace: string, pod: string, container: string, command: string[]): Promise<string> {
  const q = new URLSearchParams({ container, stdout: 'true' });
  for (const c of command) q.append('command', c);
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${sandbox.url.replace('https', 'wss')}/api/v1/namespaces/${namespace}/pods/${pod}/exec?${q}`, ['v5.channel.k8s.io'], {
      ca: sandbox.caData,
      headers: { Authorization: `Bearer ${sandbox.admin}` },
    });
    let out = '';
    ws.on('message', (d: Buffer) => {
      if (d[0] === 1) out += d.subarray(1).toString('utf8');
    });
    ws.on('close', () => resolve(out));
    ws.on('error', reject);
  });
}

/** Processes in a container besides its own (pid 1) and the `ps` that lists them. */
export async function strayProcesses(sandbox: SandboxProcess, namespace: string, pod: string, container: string): Promise<string[]> {
  const out = await execInSandbox(sandbox, namespace, pod, container, ['ps', '-eo', 'pid=,args=']);
  return out
    .split('\n')
    .map(l => l.trim())
    .filter(l => l && !/^1 /.test(l) && !l.includes('ps -eo'));
}
