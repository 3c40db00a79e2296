import { spawnSync } from 'node:child_process';
import { containerArgv, dieWithParent, execArgv, podSandboxArgv, REAPER } from './namespaces';

describe('namespace command lines', () => {
  it('the pod holder owns uts, ipc and pid and names the host after the pod', () => {
    expect(podSandboxArgv('web-1')).toEqual([
      'unshare', '--uts', '--ipc', '--pid', '--fork', '--kill-child', '--',
      'sh', '-c', 'echo "$1" > /proc/sys/kernel/hostname && exec sleep infinity', 'pause', 'web-1',
    ]);
  });

  it('a container joins the pod\'s uts/ipc and gets its own mount and pid namespaces', () => {
    expect(containerArgv({ podPid: 10 }, 'S', ['app', '-v'])).toEqual([
      'nsenter', '-t', '10', '--uts', '--ipc', '--',
      'unshare', '--mount', '--propagation', 'private', '--pid', '--', 'sh', '-c', REAPER, 'reaper',
      'env', '--default-signal', 'setpriv', '--pdeathsig', 'SIGKILL', '--', 'sh', '-c', 'S', 'container', 'app', '-v',
    ]);
    expect(containerArgv({ podPid: 10 }, 'S', ['app'], false).slice(-10, -6)).toEqual(['reaper', 'setpriv', '--pdeathsig', 'SIGKILL']);
  });

  it('a shared or targeted pid namespace is joined instead of created', () => {
    expect(containerArgv({ podPid: 10, pidOf: 42 }, 'S', ['sh'])).toEqual([
      'nsenter', '-t', '42', '--uts', '--ipc', '--pid', '--',
      'unshare', '--mount', '--propagation', 'private', '--', 'sh', '-c', 'S', 'container', 'sh',
    ]);
  });

  it('exec enters every namespace, the root and the working directory, as the container user', () => {
    expect(execArgv(42, { uid: 0, gid: 0 }, false, ['ls'])).toEqual(['nsenter', '-t', '42', '--mount', '--uts', '--ipc', '--pid', '--root', '--wd', '--', 'ls']);
    expect(execArgv(42, { uid: 1000, gid: 1000 }, true, ['sh'])).toEqual([
      'nsenter', '-t', '42', '--uts', '--ipc', '--pid', '--',
      'setsid', '-c', 'nsenter', '-t', '42', '--mount', '--root', '--wd', '-S', '1000', '-G', '1000', '--', 'sh',
    ]);
  });

  it('dies with the sandbox when setpriv is there', () => {
    expect(dieWithParent(['a'], true)).toEqual(['setpriv', '--pdeathsig', 'SIGKILL', '--', 'a']);
    expect(dieWithParent(['a'], false)).toEqual(['a']);
  });

  it.each([
    ['a SIGKILL as 137', ['sh', '-c', 'kill -KILL $$'], '', 137, ''],
    ['a SIGTERM as 143', ['sh', '-c', 'kill -TERM $$'], '', 143, ''],
    ['an exit code as it is', ['sh', '-c', 'exit 3'], '', 3, ''],
    ['stdin passed on', ['cat'], 'typed\n', 0, 'typed\n'],
    ['stderr passed on', ['sh', '-c', 'echo oops >&2; exit 1'], '', 1, '', 'oops\n'],
    ['SIGINT not ignored once reset', ['env', '--default-signal', 'sh', '-c', 'kill -INT $$; echo survived'], '', 130, ''],
  ])('the reaper reports %s', (_what, argv, input, status, stdout, stderr = '') => {
    const r = spawnSync('sh', ['-c', REAPER, 'reaper', ...argv], { input, encoding: 'utf8', timeout: 5000 });
    // Nothing of the reaper's own in the container's output (the shell's "Killed").
    expect({ status: r.status, stdout: r.stdout, stderr: r.stderr }).toEqual({ status, stdout, stderr });
  });

  it('the reaper outlives a SIGTERM sent to it and still reports its child', () => {
    const r = spawnSync('sh', ['-c', REAPER, 'reaper', 'sh', '-c', 'kill -TERM $PPID; sleep 0.2; exit 5'], { encoding: 'utf8', timeout: 5000 });
    expect(r.status).toBe(5);
  });
});
