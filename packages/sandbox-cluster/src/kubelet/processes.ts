import fs from 'node:fs';

/** The environment variable that marks every container process of one sandbox. */
export const SANDBOX_ENV = 'KUBE_TROUBLESHOOT_SANDBOX';
/** Marks every process of one pod (containers, execs, the pod's namespaces holder). */
export const POD_ENV = 'KUBE_TROUBLESHOOT_POD';
/** Marks the processes of one container, its own and those exec'd into it: `<pod uid>/<container>`. */
export const CONTAINER_ENV = 'KUBE_TROUBLESHOOT_CONTAINER';
/** Marks the processes of one exec. */
export const EXEC_ENV = 'KUBE_TROUBLESHOOT_EXEC';

/** Live processes whose environment holds `entry` (`NAME=value`), read from /proc; Linux only. */
export function findProcessesWithEnv(entry: string): number[] {
  return findProcessesWithAnyEnv(new Set([entry]));
}

/** Live processes whose environment holds any of `entries`, in one pass over /proc. */
export function findProcessesWithAnyEnv(entries: Set<string>): number[] {
  const pids: number[] = [];
  if (entries.size) forEachProcessEnv((pid, env) => env.some(e => entries.has(e)) && pids.push(pid));
  return pids;
}

/** Every live process but this one, with its environment (`NAME=value` entries), read from /proc; Linux only. */
export function forEachProcessEnv(visit: (pid: number, env: string[]) => unknown) {
  if (!fs.existsSync('/proc')) return;
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    let env: string[];
    try {
      env = fs.readFileSync(`/proc/${name}/environ`, 'utf8').split('\0');
    } catch {
      continue; // exited meanwhile, or not readable
    }
    visit(Number(name), env);
  }
}

const marked = new Set<string>();
let sweep: NodeJS.Immediate | undefined;

/**
 * Kills, soon, every process carrying `entry` and its process group. A pass reads the environment
 * of every process on the machine, so the ends that come together (a thousand clients dropping at
 * once) share one sweep instead of a pass each, which made their cleanup quadratic. Two passes:
 * the second catches what the killed ones were still forking.
 */
export function killProcessesWithEnv(entry: string, kill: (pid: number) => void) {
  marked.add(entry);
  sweep ??= setImmediate(() => {
    sweep = undefined;
    const entries = new Set(marked);
    marked.clear();
    for (let pass = 0; pass < 2; pass++) for (const pid of findProcessesWithAnyEnv(entries)) kill(pid);
  });
}

/** Live processes started by the sandbox with this id. */
export function findSandboxProcesses(sandboxId: string): number[] {
  return findProcessesWithEnv(`${SANDBOX_ENV}=${sandboxId}`);
}
