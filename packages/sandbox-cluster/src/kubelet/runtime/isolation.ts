import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export type Isolation = { isolated: true } | { isolated: false; reason: string };

const NEEDED = ['unshare', 'nsenter', 'setsid', 'setpriv', 'mount', 'sh'];

/** Whether a command is on PATH. */
export function onPath(command: string): boolean {
  return (process.env.PATH ?? '').split(path.delimiter).some(dir => {
    try {
      fs.accessSync(path.join(dir, command), fs.constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

let cached: Isolation | undefined;

/**
 * Containers get Linux namespaces (mount, pid, uts, ipc) and a private root when the sandbox runs
 * as root on Linux with util-linux; otherwise they are plain processes and the sandbox says why.
 * `KUBE_TROUBLESHOOT_SANDBOX_ISOLATION=off` forces plain processes.
 */
export function detectIsolation(): Isolation {
  if (cached) return cached;
  cached = probe();
  return cached;
}

function probe(): Isolation {
  if (process.env.KUBE_TROUBLESHOOT_SANDBOX_ISOLATION === 'off') {
    return { isolated: false, reason: 'KUBE_TROUBLESHOOT_SANDBOX_ISOLATION=off' };
  }
  if (process.platform !== 'linux') return { isolated: false, reason: `Linux namespaces are not available on ${process.platform}` };
  if (process.getuid?.() !== 0) return { isolated: false, reason: 'the sandbox is not running as root' };
  const missing = NEEDED.filter(c => !onPath(c));
  if (missing.length) return { isolated: false, reason: `missing commands: ${missing.join(', ')} (util-linux)` };
  const trial = spawnSync('unshare', ['--mount', '--pid', '--uts', '--ipc', '--fork', '--kill-child', 'true'], { timeout: 5000 });
  if (trial.status !== 0) {
    return { isolated: false, reason: `unshare failed: ${String(trial.stderr ?? '').trim() || `exit ${trial.status}`}` };
  }
  return { isolated: true };
}
