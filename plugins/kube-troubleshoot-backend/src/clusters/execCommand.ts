import { KubeApi } from './KubeClient';
import { CHANNEL, ExitResult, readExitStatus, UPSTREAM_PROTOCOLS } from './channelProtocol';

export interface ExecOutput {
  stdout: string;
  stderr: string;
  exit: ExitResult;
}

/**
 * Runs a short command in a container (exec without a terminal) and collects what it prints, up to
 * `maxBytes` per stream: for questions asked of a container (does this path exist, how big is it).
 */
export async function execCommand(
  client: KubeApi,
  target: { namespace: string; pod: string; container: string },
  command: string[],
  options: { maxBytes?: number; timeoutMs?: number } = {},
): Promise<ExecOutput> {
  const query = new URLSearchParams({ container: target.container, stdout: 'true', stderr: 'true' });
  for (const part of command) query.append('command', part);
  const path = `/api/v1/namespaces/${encodeURIComponent(target.namespace)}/pods/${encodeURIComponent(target.pod)}/exec`;
  const ws = await client.openWebSocket(path, query, UPSTREAM_PROTOCOLS);
  const max = options.maxBytes ?? 64 * 1024;
  return new Promise(resolve => {
    let stdout = '';
    let stderr = '';
    let exit: ExitResult | undefined;
    const timer = setTimeout(() => {
      exit = { error: `the command did not finish within ${options.timeoutMs} ms` };
      ws.terminate();
    }, options.timeoutMs ?? 30_000);
    ws.on('message', (data: Buffer) => {
      if (!data.length) return;
      const payload = data.subarray(1).toString('utf8');
      if (data[0] === CHANNEL.stdout && stdout.length < max) stdout += payload;
      else if (data[0] === CHANNEL.stderr && stderr.length < max) stderr += payload;
      else if (data[0] === CHANNEL.error) exit ??= readExitStatus(data.subarray(1));
    });
    const done = () => {
      clearTimeout(timer);
      resolve({ stdout, stderr, exit: exit ?? { error: 'the exec ended without a status' } });
    };
    ws.on('close', done);
    ws.on('error', e => {
      exit ??= { error: e.message };
      done();
    });
  });
}
