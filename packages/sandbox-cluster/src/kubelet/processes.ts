import fs from 'node:fs';

/** The environment variable that marks every container process of one sandbox. */
export const SANDBOX_ENV = 'KUBE_TROUBLESHOOT_SANDBOX';

/** Live processes started by the sandbox with this id (read from /proc; Linux only). */
export function findSandboxProcesses(sandboxId: string): number[] {
  const pids: number[] = [];
  if (!fs.existsSync('/proc')) return pids;
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const env = fs.readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0');
      if (env.includes(`${SANDBOX_ENV}=${sandboxId}`)) pids.push(Number(entry));
    } catch {
      // exited meanwhile, or not readable
    }
  }
  return pids;
}
