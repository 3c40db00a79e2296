import { isMissingExecutable, isValidUserName, normalUserWrapper, shellAttempts, SHELL_PICKER } from './shellCommand';

describe('shell commands', () => {
  it('tries bash-else-sh, then bash alone (an image with bash but no sh)', () => {
    expect(shellAttempts(undefined, 'W').map(a => a.command)).toEqual([['sh', '-c', SHELL_PICKER], ['bash']]);
  });
  it('runs the wrapper on production clusters with the user and writable paths as arguments', () => {
    expect(shellAttempts({ user: 'kt', writablePaths: ['/data', '/tmp'] }, 'W')).toEqual([
      { command: ['sh', '-c', 'W', 'normal-user', 'kt', '/data', '/tmp'], label: 'shell as kt (production)' },
    ]);
  });
  it('ships the wrapper as one POSIX sh file', () => {
    const text = normalUserWrapper();
    expect(text).toContain('useradd -m');
    expect(text).toContain('adduser -D');
    expect(text).not.toMatch(/\[\[|\bfunction\b|\blocal\b/); // no bashisms
  });
  it('recognises a missing executable in containerd and CRI-O texts', () => {
    expect(isMissingExecutable('exec: "sh": executable file not found in $PATH: unknown')).toBe(true);
    expect(isMissingExecutable('exec failed: no such file or directory')).toBe(true);
    expect(isMissingExecutable('permission denied')).toBe(false);
  });
  it.each([['troubleshoot', true], ['_svc-1', true], ['Root', false], ['a b', false], ['x'.repeat(33), false]])('user name %s valid: %s', (name, ok) => {
    expect(isValidUserName(name as string)).toBe(ok);
  });
});
