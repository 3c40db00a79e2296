import { containerArgv, dieWithParent, execArgv, podSandboxArgv } from './namespaces';

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
      'unshare', '--mount', '--propagation', 'private', '--pid', '--fork', '--kill-child', '--', 'sh', '-c', 'S', 'container', 'app', '-v',
    ]);
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
});
