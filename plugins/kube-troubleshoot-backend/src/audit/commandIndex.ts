import { RecordingCommand } from '@kube-troubleshoot/backstage-plugin-common';

/** Longest command kept (a pasted script is cut here). */
export const MAX_COMMAND_LENGTH = 4096;
/** Lines of one paste kept for the commands bash runs from it. */
const MAX_TYPED_AHEAD = 1000;
/** An unterminated mark longer than this is not one: it is dropped, not buffered forever. */
const MAX_MARK_BYTES = 16 * 1024;
const OSC_633 = Buffer.from('\x1b]633;', 'latin1');

/**
 * Undoes the shell integration's escaping of a command line (`\\` for a backslash, `\xNN` for a
 * byte that would end or split the mark: `;`, newlines, ESC, BEL).
 */
export function unescapeMarkText(text: string): string {
  return text.replace(/\\(\\|x([0-9a-fA-F]{2}))/g, (_m, one: string, hex?: string) => (hex ? String.fromCharCode(parseInt(hex, 16)) : one));
}

/** What ESC followed by this character starts: a CSI sequence (arrows, paste brackets) or an SS3 one (keypad). */
const AFTER_ESC: Record<string, 'csi' | 'ss3'> = { '[': 'csi', O: 'ss3' };

/**
 * The command line typed at a prompt, from the keystrokes: printable text with backspace, Ctrl-U,
 * Ctrl-W and Ctrl-C applied, escape sequences (arrows, paste brackets) skipped. Cursor moves and
 * history recall cannot be followed from keystrokes alone: the line is what was typed.
 */
export class TypedLine {
  private chars: string[] = [];
  private escape: 'none' | 'esc' | 'csi' | 'ss3' = 'none';
  private readonly decoder = new TextDecoder('utf-8');

  /** Feeds keystrokes; returns every line ended by Enter in them. */
  feed(data: Buffer): string[] {
    const lines: string[] = [];
    let text = '';
    const flushText = () => {
      if (text) this.chars.push(...text);
      text = '';
    };
    const decoded = this.decoder.decode(data, { stream: true });
    for (const ch of decoded) {
      const code = ch.codePointAt(0)!;
      if (this.escape === 'esc') {
        this.escape = AFTER_ESC[ch] ?? 'none';
        continue;
      }
      if (this.escape === 'csi') {
        if (code >= 0x40 && code <= 0x7e) this.escape = 'none';
        continue;
      }
      if (this.escape === 'ss3') {
        this.escape = 'none';
        continue;
      }
      if (code === 0x1b) {
        flushText();
        this.escape = 'esc';
      } else if (ch === '\r' || ch === '\n') {
        flushText();
        lines.push(this.chars.slice(0, MAX_COMMAND_LENGTH).join(''));
        this.chars = [];
      } else if (code === 0x7f || code === 0x08) {
        flushText();
        this.chars.pop();
      } else if (code === 0x15 || code === 0x03) {
        // Ctrl-U clears the line, Ctrl-C abandons it.
        text = '';
        this.chars = [];
      } else if (code === 0x17) {
        flushText();
        while (this.chars.length && /\s/.test(this.chars[this.chars.length - 1])) this.chars.pop();
        while (this.chars.length && !/\s/.test(this.chars[this.chars.length - 1])) this.chars.pop();
      } else if (code === 0x09 || code >= 0x20) {
        text += ch;
      }
    }
    flushText();
    if (this.chars.length > MAX_COMMAND_LENGTH) this.chars.length = MAX_COMMAND_LENGTH;
    return lines;
  }

  clear() {
    this.chars = [];
    this.escape = 'none';
  }
}

interface Mark {
  kind: string;
  fields: string[];
}

/**
 * The commands of one terminal session, as they complete. Three ways, best first:
 * - `shell`: bash under the session's shell integration names each command (`OSC 633 ; E`) and
 *   its exit status (`OSC 633 ; D`), as terminals' shell integration does;
 * - `input` at marked prompts: a plain sh marks where its prompt ends (`B`) and each status (`D`);
 *   the command is the line typed after the prompt;
 * - `input` alone, when the shell marks nothing: every line typed (only with `typedLines`, since
 *   that also catches answers to programs, a password at a prompt that does not echo among them).
 * Every mark carries the session's nonce: output replayed from a file (a planted mark) is ignored.
 */
export class CommandIndexer {
  private mode: 'unknown' | 'shell' | 'prompt' = 'unknown';
  private carry: Buffer = Buffer.alloc(0);
  private readonly typed = new TypedLine();
  private atPrompt = false;
  /** The command that runs, waiting for its status. */
  private running?: RecordingCommand;
  /**
   * Under bash (with `typedLines`): the lines of the last keystrokes that held any, one taken by
   * each command bash runs, to stand in for one it could not name (not in its history). Lines typed
   * together (a paste) are the commands that run next; lines typed apart replace them (answers to
   * a program are followed by the command typed next).
   */
  private typedAhead: string[] = [];

  constructor(
    private readonly nonce: string | undefined,
    private readonly options: { typedLines: boolean } = { typedLines: true },
  ) {}

  /** Output of the session `at` seconds in; returns the commands this completed. */
  output(data: Buffer, at: number): RecordingCommand[] {
    if (!this.nonce) return [];
    const done: RecordingCommand[] = [];
    for (const mark of this.marks(data)) this.apply(mark, at, done);
    return done;
  }

  /** Keystrokes `at` seconds in; returns the commands this completed. */
  input(data: Buffer, at: number): RecordingCommand[] {
    if (this.mode === 'shell') {
      // bash names its commands; the typed line only stands in for one it could not name.
      if (this.options.typedLines) {
        const lines = this.typed.feed(data);
        if (lines.length) this.typedAhead = lines.slice(-MAX_TYPED_AHEAD).map(l => l.trim());
      }
      return [];
    }
    if (this.mode === 'prompt' && !this.atPrompt) return [];
    if (this.mode === 'unknown' && !this.options.typedLines) return [];
    const done: RecordingCommand[] = [];
    const lines = this.typed.feed(data);
    if (this.mode === 'prompt') {
      if (!lines.length) return [];
      // Empty or not, the prompt is left: what follows goes to the command (or the next prompt).
      this.atPrompt = false;
      this.typed.clear();
      // Lines typed with it in one go (a paste) are part of it: the shell may run them as commands,
      // or a program (or a loop's body) reads them, which a plain sh does not tell. They may be a
      // program's answers, a password among them: kept only when input is (`typedLines`).
      const trimmed = lines.map(l => l.trim());
      const command = (this.options.typedLines ? trimmed.filter(Boolean).join('\n') : trimmed[0]).slice(0, MAX_COMMAND_LENGTH);
      if (command) this.running = { at, command, source: 'input' };
      return [];
    }
    for (const line of lines) {
      const command = line.trim();
      // No marks (yet): a typed line is kept until the next one, or until a bash mark names it.
      if (this.running) done.push(this.running);
      this.running = command ? { at, command, source: 'input' } : undefined;
    }
    return done;
  }

  /** The session ended (`exitCode`: the shell's own, when it exited): what still ran is kept. */
  end(exitCode?: number): RecordingCommand[] {
    const last = this.running;
    this.running = undefined;
    if (!last) return [];
    return [exitCode === undefined || this.mode === 'unknown' ? last : { ...last, exitCode }];
  }

  private apply(mark: Mark, at: number, done: RecordingCommand[]) {
    const { kind, fields } = mark;
    // The nonce is the last field of each of our marks.
    if (fields[fields.length - 1] !== this.nonce) return;
    if (kind === 'E' && fields.length === 2) {
      const named = unescapeMarkText(fields[0]).trim().slice(0, MAX_COMMAND_LENGTH);
      // A line typed before the first mark was this command: the mark names it better.
      if (this.mode === 'unknown') this.running = undefined;
      this.mode = 'shell';
      if (this.running) done.push(this.running);
      // Each command takes one typed line (when they match, it is the line of this command).
      const typed = this.typedAhead.shift();
      if (named) this.running = { at, command: named, source: 'shell' };
      else this.running = typed ? { at, command: typed, source: 'input' } : undefined;
    } else if (kind === 'D' && fields.length === 2) {
      const status = /^\d{1,3}$/.test(fields[0]) ? Number(fields[0]) : undefined;
      if (this.running && this.mode !== 'unknown') {
        done.push(status === undefined ? this.running : { ...this.running, exitCode: status });
        this.running = undefined;
      }
    } else if (kind === 'B' && fields.length === 1) {
      if (this.mode === 'unknown') {
        // A line typed before the first prompt went to no shell prompt.
        this.running = undefined;
        this.typed.clear();
        this.mode = 'prompt';
      }
      if (this.mode === 'prompt') {
        this.atPrompt = true;
        this.typed.clear();
      }
    }
  }

  /** The OSC 633 marks in `data`, a mark split across chunks included. */
  private marks(data: Buffer): Mark[] {
    const buf = this.carry.length ? Buffer.concat([this.carry, data]) : data;
    this.carry = Buffer.alloc(0);
    const found: Mark[] = [];
    let from = 0;
    for (;;) {
      const start = buf.indexOf(OSC_633, from);
      if (start < 0) {
        // Keep a tail that may be the start of a mark's introducer.
        const tail = buf.subarray(Math.max(from, buf.length - OSC_633.length + 1));
        const esc = tail.indexOf(0x1b);
        if (esc >= 0) this.carry = Buffer.from(tail.subarray(esc));
        break;
      }
      const bodyStart = start + OSC_633.length;
      // One pass over the body (output is hostile: no rescans): BEL or ST ends it; any other ESC
      // abandons it, as terminals do, and the scan goes on from that ESC.
      let end = -1;
      let next = -1;
      for (let i = bodyStart; i < buf.length; i++) {
        if (buf[i] === 0x07) {
          end = i;
          next = i + 1;
          break;
        }
        if (buf[i] === 0x1b) {
          if (i + 1 < buf.length) next = buf[i + 1] === 0x5c ? i + 2 : i;
          if (buf[i + 1] === 0x5c) end = i;
          break;
        }
      }
      if (next < 0) {
        if (buf.length - start <= MAX_MARK_BYTES) this.carry = Buffer.from(buf.subarray(start));
        break;
      }
      if (end >= 0) {
        const [kind, ...fields] = buf.subarray(bodyStart, end).toString('utf8').split(';');
        found.push({ kind, fields });
      }
      from = next;
    }
    return found;
  }
}
