import { CommandIndexer, TypedLine, unescapeMarkText } from './commandIndex';

const b = (s: string) => Buffer.from(s, 'utf8');
const N = 'n0nce';
const E = (cmd: string, nonce = N) => `\x1b]633;E;${cmd};${nonce}\x07\x1b]633;C\x07`;
const D = (code: number | string, nonce = N) => `\x1b]633;D;${code};${nonce}\x07`;
const PROMPT = `${D(0)}\x1b]633;A;${N}\x07$ \x1b]633;B;${N}\x07`;

describe('CommandIndexer', () => {
  it("indexes bash's marks: the command as history has it, its status, its time", () => {
    const ix = new CommandIndexer(N);
    expect(ix.input(b('echo hi; false\r'), 1)).toEqual([]);
    // What bash 5.2 printed under the integration (captured from a real pty).
    expect(ix.output(b(`echo hi; false\r\n\x1b[?2004l\r${E('echo hi\\x3b false')}hi\r\n`), 1.25)).toEqual([]);
    expect(ix.output(b(`${D(1)}\x1b[?2004hbash-5.2# `), 1.5)).toEqual([{ at: 1.25, command: 'echo hi; false', exitCode: 1, source: 'shell' }]);
    ix.input(b('printf "a;b\\\\c"\r'), 2);
    expect(ix.output(b(`${E('printf "a\\x3bb\\\\\\\\c"')}a;b\\c${D(0)}`), 2.1)).toEqual([{ at: 2.1, command: 'printf "a;b\\\\c"', exitCode: 0, source: 'shell' }]);
  });

  it('finds a mark split across chunks, byte by byte', () => {
    const ix = new CommandIndexer(N);
    const out = b(`x${E('rm -rf /tmp/cache')}done\r\n${D(0)}`);
    const got = [];
    for (let i = 0; i < out.length; i++) got.push(...ix.output(out.subarray(i, i + 1), i));
    // The command's moment is when its mark is whole.
    expect(got).toEqual([{ at: out.indexOf(0x07), command: 'rm -rf /tmp/cache', exitCode: 0, source: 'shell' }]);
  });

  it('lets an unterminated mark in the output hide no real mark, and scans a flood of them once', () => {
    const ix = new CommandIndexer(N);
    expect(ix.output(b(`\x1b]633;junk ${E('ls')}`), 1)).toEqual([]);
    expect(ix.output(b(`\x1b]633;${D(0)}`), 2)).toEqual([{ at: 1, command: 'ls', exitCode: 0, source: 'shell' }]);
    const flood = b('\x1b]633;\x07'.repeat(100_000));
    const started = Date.now();
    expect(new CommandIndexer(N).output(flood, 1)).toEqual([]);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('ignores marks without the session nonce: output cannot forge a command', () => {
    const ix = new CommandIndexer(N);
    expect(ix.output(b(`${E('forged', 'guess')}${D(0, 'guess')}`), 1)).toEqual([]);
    expect(ix.output(b(`${E('ls')}`), 2)).toEqual([]);
    // A forged status does not close the real command either.
    expect(ix.output(b(D(0, 'guess')), 3)).toEqual([]);
    expect(ix.output(b(D(2)), 4)).toEqual([{ at: 2, command: 'ls', exitCode: 2, source: 'shell' }]);
    expect(new CommandIndexer(undefined).output(b(E('ls', 'undefined')), 1)).toEqual([]);
  });

  it("takes a plain sh's command from what was typed after its marked prompt, with the status it reports", () => {
    const ix = new CommandIndexer(N, { typedLines: false });
    ix.output(b(PROMPT), 0.5);
    // Typing echoes, mistakes are corrected; only the line at the prompt counts.
    expect(ix.input(b('ecx'), 1)).toEqual([]);
    expect(ix.input(b('\x7fho ok\r'), 1.5)).toEqual([]);
    ix.output(b('echo ok\r\nok\r\n'), 1.6);
    // Typed while the command runs: an answer to it, not a command.
    expect(ix.input(b('secret\r'), 1.7)).toEqual([]);
    expect(ix.output(b(PROMPT.replace(D(0), D(0))), 2)).toEqual([{ at: 1.5, command: 'echo ok', exitCode: 0, source: 'input' }]);
    // An empty line at the prompt is no command.
    ix.input(b('\r'), 3);
    expect(ix.output(b(PROMPT), 3.1)).toEqual([]);
    ix.input(b('exit 3\r'), 4);
    expect(ix.end(3)).toEqual([{ at: 4, command: 'exit 3', exitCode: 3, source: 'input' }]);
  });

  it("keeps a paste at a plain sh's prompt as one command, its further lines only where input is kept", () => {
    const paste = 'cd /srv\r\rrm -rf data\rls -';
    const ix = new CommandIndexer(N);
    ix.output(b(PROMPT), 0.5);
    expect(ix.input(b(paste), 1)).toEqual([]);
    expect(ix.output(b(PROMPT), 2)).toEqual([{ at: 1, command: 'cd /srv\nrm -rf data', exitCode: 0, source: 'input' }]);
    // The paste's unfinished line went to the shell before this prompt: what is typed here is new.
    ix.input(b('id\r'), 6);
    expect(ix.end(0)).toEqual([{ at: 6, command: 'id', exitCode: 0, source: 'input' }]);
    // Without input kept, the further lines may be a password read by the program of the first.
    const quiet = new CommandIndexer(N, { typedLines: false });
    quiet.output(b(PROMPT), 0.5);
    quiet.input(b('mysql -p\rS3cret!\r'), 1);
    expect(quiet.output(b(PROMPT), 2)).toEqual([{ at: 1, command: 'mysql -p', exitCode: 0, source: 'input' }]);
  });

  it('names a command bash left out of its history by the line typed for it, and only if allowed', () => {
    const ix = new CommandIndexer(N);
    ix.input(b('set +o history\r'), 1);
    ix.output(b(`${E('set +o history')}${D(0)}`), 1.1);
    ix.input(b('rm -rf /srv/data\r'), 2);
    expect(ix.output(b(`${E('')}${D(0)}`), 2.1)).toEqual([{ at: 2.1, command: 'rm -rf /srv/data', exitCode: 0, source: 'input' }]);
    // Answers to a program, then the next command typed apart: the command is the latest line.
    ix.input(b('read a\r'), 3);
    ix.output(b(E('')), 3.1);
    ix.input(b('answer\r'), 4);
    ix.input(b('whoami\r'), 5);
    expect(ix.output(b(`${D(0)}${E('')}${D(0)}`), 5.1)).toEqual([
      { at: 3.1, command: 'read a', exitCode: 0, source: 'input' },
      { at: 5.1, command: 'whoami', exitCode: 0, source: 'input' },
    ]);
    // A paste: one line for each command bash runs from it, named or not.
    ix.input(b('echo one\rset +o history\recho two\r'), 6);
    expect(ix.output(b(`${E('echo one')}${D(0)}${E('set +o history')}${D(0)}${E('')}${D(0)}`), 6.1).map(c => [c.command, c.source])).toEqual([
      ['echo one', 'shell'],
      ['set +o history', 'shell'],
      ['echo two', 'input'],
    ]);
    const quiet = new CommandIndexer(N, { typedLines: false });
    quiet.output(b(`${E('ls')}${D(0)}`), 1);
    quiet.input(b('rm -rf /srv/data\r'), 2);
    expect(quiet.output(b(`${E('')}${D(0)}`), 2.1)).toEqual([]);
  });

  it('cuts a typed line at the longest command kept', () => {
    expect(new TypedLine().feed(b(`${'x'.repeat(5000)}\ry\r`)).map(l => l.length)).toEqual([4096, 1]);
  });

  it('falls back to typed lines when the shell marks nothing, and only if allowed', () => {
    const ix = new CommandIndexer(N);
    expect(ix.input(b('ls -l\r'), 1)).toEqual([]);
    expect(ix.input(b('cat x\r'), 2)).toEqual([{ at: 1, command: 'ls -l', source: 'input' }]);
    expect(ix.end(0)).toEqual([{ at: 2, command: 'cat x', source: 'input' }]);
    const quiet = new CommandIndexer(N, { typedLines: false });
    quiet.input(b('ls -l\r'), 1);
    expect(quiet.end()).toEqual([]);
  });

  it("lets bash's first mark replace the typed line it names", () => {
    const ix = new CommandIndexer(N);
    ix.input(b('  id\r'), 1);
    expect(ix.output(b(`${E('id')}uid=0${D(0)}`), 1.1)).toEqual([{ at: 1.1, command: 'id', exitCode: 0, source: 'shell' }]);
    expect(ix.input(b('whoami\r'), 2)).toEqual([]);
  });
});

describe('TypedLine', () => {
  it('applies backspace, Ctrl-U, Ctrl-W and Ctrl-C, and skips escape sequences', () => {
    const t = new TypedLine();
    expect(t.feed(b('ls \x1b[A-la\x7f\x7fl\r'))).toEqual(['ls -l']);
    expect(t.feed(b('wrong\x15right\r'))).toEqual(['right']);
    expect(t.feed(b('rm -rf /tmp/x \x17\x17/var/y\r'))).toEqual(['rm /var/y']);
    expect(t.feed(b('sleep 100\x03\r'))).toEqual(['']);
    expect(t.feed(b('\x1b[200~echo pasted\x1b[201~\r'))).toEqual(['echo pasted']);
    expect(t.feed(b('café\x7fe'))).toEqual([]);
    expect(t.feed(Buffer.from([0x20, 0xc3]))).toEqual([]);
    expect(t.feed(Buffer.from([0xa9, 0x0d]))).toEqual(['cafe é']);
  });
});

it('unescapes what the integration escaped', () => {
  expect(unescapeMarkText('a\\x3bb\\\\c\\x0ad')).toBe('a;b\\c\nd');
});
