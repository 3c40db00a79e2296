import https from 'node:https';
import WebSocket from 'ws';
import { SandboxProcess } from './sandboxProcess';

/** Straight to the sandbox, as its admin (not through the backend): what a test checks the backend against. */

/** A GET of the sandbox's API; resolves with its JSON, rejects on an error status. */
export function sandboxGet<T>(sandbox: SandboxProcess, path: string): Promise<T> {
  return sandboxSend<T>(sandbox, 'GET', path);
}

/** Runs a command in a container; resolves with its stdout. */
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

/** A request to the sandbox's API as its admin; resolves with the JSON answer, rejects on an error status. */
export function sandboxSend<T>(sandbox: SandboxProcess, method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<T> {
  const text = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = https.request(
      `${sandbox.url}${path}`,
      { method, ca: sandbox.caData, headers: { Authorization: `Bearer ${sandbox.admin}`, ...(text ? { 'Content-Type': 'application/json' } : {}) } },
      res => {
        let answer = '';
        res.on('data', d => (answer += d));
        res.on('end', () => ((res.statusCode ?? 0) < 300 ? resolve(JSON.parse(answer) as T) : reject(new Error(`${method} ${path}: ${res.statusCode} ${answer}`))));
      },
    );
    req.on('error', reject);
    req.end(text);
  });
}
