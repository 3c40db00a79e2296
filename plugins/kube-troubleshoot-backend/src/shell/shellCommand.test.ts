import { execFileSync } from 'node:child_process';
import { announcedShell, announceShell, isMissingExecutable, isValidUserName, normalUserWrapper, shellAttempts, SHELL_PICKER } from './shellCommand';

describe('shell commands', () => {
  it('tries bash-else-sh, then bash alone (an image with bash but no sh)', () => {
    expect(shellAttempts(undefined, 'W').map(a => a.command)).toEqual([['sh', '-c', SHELL_PICKER], ['bash']]);
  });
  it('runs the wrapper on production clusters with the user and writable paths as arguments', () => {
    const [attempt] = shellAttempts({ user: 'kt', writablePaths: ['/data', '/tmp'] }, 'W');
    expect(attempt).toMatchObject({ command: ['sh', '-c', 'W', 'normal-user', 'kt', '/data', '/tmp'], label: 'shell as kt (production)' });
    expect(attempt.named?.('bash')).toBe('bash as kt (production)');
  });
  it('has the shell say which it is, in a sequence terminals ignore, read back from the first output', () => {
    const out = execFileSync('sh', ['-c', `${announceShell('bash')}; echo hi`]);
    expect(out.toString('latin1')).toBe('\x1b]633;P;Shell=bash\x07hi\n');
    expect(announcedShell(out)).toBe('bash');
    expect(announcedShell(Buffer.from('$ '))).toBeUndefined();
    expect(SHELL_PICKER).toContain(announceShell('sh'));
    expect(normalUserWrapper()).toContain("printf '\\033]633;P;Shell=%s\\007'");
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
