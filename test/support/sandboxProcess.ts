import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot, waitFor } from './tools';

/** A sandbox cluster in its own process, so what the test process measures is the backend alone. */
export interface SandboxProcess {
  url: string;
  caData: string;
  admin: string;
  readonly: string;
  dataDir: string;
  proc: ChildProcess;
  stop(): Promise<void>;
}

export async function startSandboxProcess(workloadsFile: string, stateDir: string): Promise<SandboxProcess> {
  const kubeconfig = path.join(stateDir, 'kubeconfig');
  const proc = spawn(
    process.execPath,
    [...(process.env.KT_SANDBOX_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.KT_SANDBOX_PROF] : []), '--import', 'tsx', path.join(repoRoot, 'packages/sandbox-cluster/src/cli.ts'), '--port', '0', '--kubeconfig', kubeconfig, '--workloads', workloadsFile],
    { stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, SANDBOX_EXIT_WITH_STDIN: '1' } },
  );
  let out = '';
  proc.stdout!.on('data', d => (out += d));
  await waitFor('the sandbox', () => (/data in (\S+)/.test(out) ? true : undefined), 30_000);
  const kc = JSON.parse(fs.readFileSync(kubeconfig, 'utf8'));
  const token = (name: string) => kc.users.find((u: { name: string }) => u.name === name).user.token as string;
  return {
    url: kc.clusters[0].cluster.server,
    caData: Buffer.from(kc.clusters[0].cluster['certificate-authority-data'], 'base64').toString(),
    admin: token('sandbox'),
    readonly: token('sandbox-readonly'),
    dataDir: /data in (\S+)/.exec(out)![1],
    proc,
    stop: async () => {
      if (proc.exitCode !== null) return;
      proc.kill('SIGTERM');
      await new Promise(r => proc.once('exit', r));
    },
  };
}
