import fs from 'node:fs';

/** The environment variable that marks every container process of one sandbox. */
export const SANDBOX_ENV = 'KUBE_TROUBLESHOOT_SANDBOX';
/** Marks every process of one pod (containers, execs, the pod's namespaces holder). */
export const POD_ENV = 'KUBE_TROUBLESHOOT_POD';
/** Marks the processes of one exec. */
export const EXEC_ENV = 'KUBE_TROUBLESHOOT_EXEC';

/** Live processes whose environment holds `entry` (`NAME=value`), read from /proc; Linux only. */
export function findProcessesWithEnv(entry: string): number[] {
  const pids: number[] = [];
  if (!fs.existsSync('/proc')) return pids;
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      const env = fs.readFileSync(`/proc/${name}/environ`, 'utf8').split('\0');
      if (env.includes(entry)) pids.push(Number(name));
    } catch {
      // exited meanwhile, or not readable
    }
  }
  return pids;
}

/** Live processes started by the sandbox with this id. */
export function findSandboxProcesses(sandboxId: string): number[] {
  return findProcessesWithEnv(`${SANDBOX_ENV}=${sandboxId}`);
}
