import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CommandIndexer } from '../audit/commandIndex';
import { announcedShell, announceShell, isMissingExecutable, isValidUserName, normalUserWrapper, shellAttempts, shellIntegration, SHELL_PICKER } from './shellCommand';

const hasScript = spawnSync('script', ['--version']).status === 0;
const hasBusybox = spawnSync('sh', ['-c', 'command -v busybox']).status === 0;
/** The OSC 633 marks of the session's nonce: control sequences, so control characters are matched. */
// eslint-disable-next-line no-control-regex
const markOf = (kind: string) => new RegExp(`\\x1b\\]633;${kind};([^;\\x07]*);Nonce_123\\x07`, 'g');

/** Runs `command` in a real pty (util-linux script) with `typed` as the keyboard; its output. */
function inPty(command: string[], typed: string, env: NodeJS.ProcessEnv): Buffer {
  const q = (t: string) => `'${t.replace(/'/g, `'\\''`)}'`;
  const r = spawnSync('script', ['-qec', command.map(q).join(' '), '/dev/null'], { input: typed, env, timeout: 20_000 });
  if (r.error) throw r.error;
  return r.stdout;
}

describe('shell commands', () => {
  it('tries bash-else-sh, then bash alone (an image with bash but no sh)', () => {
    expect(shellAttempts(undefined, 'W').map(a => a.command)).toEqual([['sh', '-c', `${shellIntegration(undefined)}\n${SHELL_PICKER}`], ['bash']]);
  });
  it('refuses a nonce that could break out of the shell text', () => {
    expect(() => shellIntegration("x'; rm -rf /; '")).toThrow(/nonce/);
  });
  (hasScript || process.env.CI === 'true' ? describe : describe.skip)('shell integration in a real pty (util-linux script)', () => {
    let home: string;
    beforeAll(() => {
      home = fs.mkdtempSync(path.join(os.tmpdir(), 'kt-shell-'));
      // A user's rc that would hide commands from history and has a PROMPT_COMMAND of its own.
      fs.writeFileSync(path.join(home, '.bashrc'), 'HISTCONTROL=ignoreboth\nPROMPT_COMMAND="${PROMPT_COMMAND:+$PROMPT_COMMAND;}echo -n"\n');
    });
    afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

    it('has bash name each command and its status, past the user rc, a command hidden by a leading space included', () => {
      const [picker] = shellAttempts(undefined, 'W', 'Nonce_123');
      const out = inPty(picker.command, 'echo hi; false\n\n  echo hidden | tr a-z A-Z\nprintf "%s\\n" "a;b"\nexit 3\n', { PATH: process.env.PATH, HOME: home, TERM: 'xterm' });
      const ix = new CommandIndexer('Nonce_123', { typedLines: false });
      const commands = [...ix.output(out, 1), ...ix.end(3)];
      expect(commands.map(c => [c.command, c.exitCode, c.source])).toEqual([
        ['echo hi; false', 1, 'shell'],
        ['echo hidden | tr a-z A-Z', 0, 'shell'],
        ['printf "%s\\n" "a;b"', 0, 'shell'],
        ['exit 3', 3, 'shell'],
      ]);
      expect(out.toString()).toContain('HIDDEN');
      // Marks with another nonce are not this session's.
      expect(new CommandIndexer('Other_123').output(out, 1)).toEqual([]);
    });

    it("has bash name no command it kept out of history (the index takes the typed line), even with a user's HISTSIZE=0", () => {
      const rcHome = fs.mkdtempSync(path.join(os.tmpdir(), 'kt-shell-'));
      try {
        fs.writeFileSync(path.join(rcHome, '.bashrc'), 'HISTSIZE=0\n');
        const [picker] = shellAttempts(undefined, 'W', 'Nonce_123');
        const out = inPty(picker.command, 'echo one\nset +o history\necho two\nexit\n', { PATH: process.env.PATH, HOME: rcHome, TERM: 'xterm' });
        expect([...out.toString().matchAll(markOf('E'))].map(m => m[1])).toEqual(['echo one', 'set +o history', '', '']);
        // An rc with history off and `set -e`: nothing named from history (nor the integration's own
        // lines), and an empty history ends no shell.
        fs.writeFileSync(path.join(rcHome, '.bashrc'), 'set -e\nset +o history\n');
        const strict = inPty(picker.command, 'echo one\nhistory -c\necho two\nexit\n', { PATH: process.env.PATH, HOME: rcHome, TERM: 'xterm' }).toString();
        expect([...strict.matchAll(markOf('E'))].map(m => m[1])).toEqual(['', '', '', '']);
        expect([...strict.matchAll(markOf('D'))].map(m => m[1])).toEqual(['0', '0', '0']);
      } finally {
        fs.rmSync(rcHome, { recursive: true, force: true });
      }
    });

    it('has a plain sh (dash) report each status at its marked prompt', () => {
      const out = inPty(['sh', '-c', `${shellIntegration('Nonce_123')}\nkt_integrate sh '$ '; exec dash`], 'false\ntrue\nexit\n', { PATH: process.env.PATH, HOME: home });
      const text = out.toString();
      // The marks are control sequences: that is what is matched.
      // eslint-disable-next-line no-control-regex
      expect(text.match(/\x1b\]633;D;(\d+);Nonce_123\x07/g)?.map(m => m.split(';')[2])).toEqual(['0', '1', '0']);
      expect(text).toContain('\x1b]633;B;Nonce_123\x07');
    });

    (hasBusybox || process.env.CI === 'true' ? describe : describe.skip)("BusyBox's sh (Alpine's)", () => {
      it('keeps the marks out of the width its line editor gives the prompt', () => {
        // A directory where sh is BusyBox, as on Alpine.
        const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'kt-busybox-'));
        try {
          fs.symlinkSync(execFileSync('sh', ['-c', 'command -v busybox']).toString().trim(), path.join(bin, 'sh'));
          const long = 'x'.repeat(120);
          const command = [path.join(bin, 'sh'), '-c', `${shellIntegration('Nonce_123')}\nkt_integrate sh '$ '; exec sh`];
          const text = inPty(command, `false\necho ${long}\nexit\n`, { PATH: `${bin}:${process.env.PATH}`, HOME: home, COLUMNS: '80' }).toString();
          expect([...text.matchAll(markOf('D'))].map(m => m[1])).toEqual(['0', '1', '0']);
          // The \[ \] around the marks are BusyBox's to read, not printed.
          expect(text).not.toContain('\\[');
          // The long line wraps where the screen does: after the 2-column prompt, at 78 columns.
          const prompt = '$ \x1b]633;B;Nonce_123\x07';
          const typed = text.slice(text.indexOf(`${prompt}echo `) + prompt.length);
          expect(typed.split(/\r+\n?/)[0]).toBe(`echo ${long}`.slice(0, 78));
        } finally {
          fs.rmSync(bin, { recursive: true, force: true });
        }
      });
    });
  });
  it('runs the wrapper on production clusters with the user and writable paths as arguments', () => {
    const [attempt] = shellAttempts({ user: 'kt', writablePaths: ['/data', '/tmp'] }, 'W');
    expect(attempt).toMatchObject({ command: ['sh', '-c', `${shellIntegration(undefined)}\nW`, 'normal-user', 'kt', '/data', '/tmp'], label: 'shell as kt (production)' });
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
