/**
 * The command lines that put processes into a pod's namespaces, built with util-linux's unshare,
 * nsenter and setsid. Pure: the kubelet spawns what these return.
 */

/**
 * Prefixes a command so it gets SIGKILL when the sandbox process dies, however it dies (util-linux
 * setpriv sets the parent-death signal, which survives exec): nothing outlives the sandbox.
 */
export function dieWithParent(argv: string[], hasSetpriv: boolean): string[] {
  return hasSetpriv ? ['setpriv', '--pdeathsig', 'SIGKILL', '--', ...argv] : argv;
}

/** The pod's infrastructure process (like the pause container): owns its uts, ipc and pid namespaces. */
export function podSandboxArgv(hostname: string): string[] {
  return [
    'unshare', '--uts', '--ipc', '--pid', '--fork', '--kill-child', '--',
    'sh', '-c', 'echo "$1" > /proc/sys/kernel/hostname && exec sleep infinity', 'pause', hostname,
  ];
}

export interface ContainerNamespaces {
  /** A process whose uts and ipc namespaces the container joins (the pod's pause). */
  podPid: number;
  /** Join this process's pid namespace (shareProcessNamespace: the pause; debug: the target) instead of a new one. */
  pidOf?: number;
}

/**
 * The parent of a container's pid 1, outside its pid namespace, as the runtime's shim is: it reports
 * how pid 1 ended as 128 + the signal (137 for an OOM kill) where util-linux 2.38's `unshare --fork`
 * exits 1 with "sigprocmask unblock failed" for a SIGKILL. It outlives TERM (pid 1 gets its own),
 * keeps stdin for pid 1 (a background job's is /dev/null otherwise), and pid 1 dies with it.
 */
export const REAPER = [
  // Caught (not ignored) before the fork: pid 1 still starts with TERM's default action.
  'trap : TERM INT HUP QUIT',
  'exec 3<&0 4>&2',
  '"$@" 0<&3 2>&4 3<&- 4>&- &',
  // Its own stderr goes nowhere: the shell would print "Killed" for pid 1 into the container's log.
  'exec 3<&- 4>&- 2>/dev/null',
  'while :; do wait $!; s=$?; kill -0 $! 2>/dev/null || exit $s; done',
].join('\n');

/**
 * Runs `script` (see mountScript) as the first process of a new mount (and pid) namespace.
 * `resetSignals`: the host's env can undo the shell's ignoring SIGINT and SIGQUIT in a background job.
 */
export function containerArgv(ns: ContainerNamespaces, script: string, argv: string[], resetSignals = true): string[] {
  const container = ['sh', '-c', script, 'container', ...argv];
  if (ns.pidOf !== undefined) {
    return ['nsenter', '-t', String(ns.pidOf), '--uts', '--ipc', '--pid', '--', 'unshare', '--mount', '--propagation', 'private', '--', ...container];
  }
  const pid1 = [...(resetSignals ? ['env', '--default-signal'] : []), 'setpriv', '--pdeathsig', 'SIGKILL', '--', ...container];
  return ['nsenter', '-t', String(ns.podPid), '--uts', '--ipc', '--', 'unshare', '--mount', '--propagation', 'private', '--pid', '--', 'sh', '-c', REAPER, 'reaper', ...pid1];
}

export interface ExecUser {
  uid: number;
  gid: number;
}

/**
 * Runs a command inside a running container (its mount, uts, ipc and pid namespaces, root and working
 * directory) as the container's user. With a tty the command leads a new session inside the pid
 * namespace, so shells get job control on the terminal.
 */
export function execArgv(pid: number, user: ExecUser, tty: boolean, argv: string[]): string[] {
  const t = String(pid);
  const as = user.uid === 0 && user.gid === 0 ? [] : ['-S', String(user.uid), '-G', String(user.gid)];
  if (!tty) return ['nsenter', '-t', t, '--mount', '--uts', '--ipc', '--pid', '--root', '--wd', ...as, '--', ...argv];
  return ['nsenter', '-t', t, '--uts', '--ipc', '--pid', '--', 'setsid', '-c', 'nsenter', '-t', t, '--mount', '--root', '--wd', ...as, '--', ...argv];
}
