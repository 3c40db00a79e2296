import { execFile } from 'node:child_process';
import { waitFor } from './tools';

let counter = 0;

/**
 * An interactive terminal for a command (kubectl exec -it, kubectl debug -it): a private tmux server
 * whose window can be typed into, resized and read, as a user at a terminal would.
 */
export class Terminal {
  private readonly socket = `kt-test-${process.pid}-${++counter}`;

  private tmux(...args: string[]): Promise<string> {
    return new Promise((resolve, reject) =>
      execFile('tmux', ['-L', this.socket, ...args], { encoding: 'utf8' }, (err, stdout, stderr) => (err ? reject(new Error(`tmux ${args[0]}: ${stderr || err.message}`)) : resolve(stdout))),
    );
  }

  /** Runs `command` (a shell line) in a window of width x height; the window stays after it ends. */
  async start(command: string, env: Record<string, string>, width = 80, height = 24) {
    const exports = Object.entries(env).map(([k, v]) => `export ${k}='${v}';`).join(' ');
    await this.tmux('new-session', '-d', '-s', 'main', '-x', String(width), '-y', String(height), `${exports} ${command}; echo "[exited $?]"; sleep 600`);
  }

  type(text: string): Promise<string> {
    return this.tmux('send-keys', '-t', 'main', '-l', text);
  }

  async enter(line: string) {
    await this.type(line);
    await this.tmux('send-keys', '-t', 'main', 'Enter');
  }

  resize(width: number, height: number): Promise<string> {
    return this.tmux('resize-window', '-t', 'main', '-x', String(width), '-y', String(height));
  }

  screen(): Promise<string> {
    return this.tmux('capture-pane', '-p', '-J', '-S', '-200', '-t', 'main');
  }

  /** Waits until the screen matches, and returns the screen. */
  waitFor(what: RegExp, timeoutMs = 15_000): Promise<string> {
    return waitFor(`the terminal to show ${what}`, async () => {
      const text = await this.screen();
      return what.test(text) ? text : undefined;
    }, timeoutMs).catch(async e => {
      throw new Error(`${(e as Error).message}\n--- screen ---\n${await this.screen().catch(() => '')}`);
    });
  }

  async close() {
    await this.tmux('kill-server').catch(() => undefined);
  }
}
