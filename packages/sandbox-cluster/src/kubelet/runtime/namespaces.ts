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

/** Runs `script` (see mountScript) as the first process of a new mount (and pid) namespace. */
export function containerArgv(ns: ContainerNamespaces, script: string, argv: string[]): string[] {
  const join = ns.pidOf === undefined ? ['nsenter', '-t', String(ns.podPid), '--uts', '--ipc', '--'] : ['nsenter', '-t', String(ns.pidOf), '--uts', '--ipc', '--pid', '--'];
  const own = ns.pidOf === undefined ? ['--pid', '--fork', '--kill-child'] : [];
  return [...join, 'unshare', '--mount', '--propagation', 'private', ...own, '--', 'sh', '-c', script, 'container', ...argv];
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
