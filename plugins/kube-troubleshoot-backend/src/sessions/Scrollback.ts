/**
 * The last output of a session, kept so a browser that comes back (a dropped socket, a reload) or a
 * watcher who joins sees the screen. Bounded: the oldest chunks go once more than `capBytes` are
 * kept. Chunks are the upstream's own buffers, held by reference (nothing is copied per message).
 */
export class Scrollback {
  private chunks: Buffer[] = [];
  private kept = 0;
  /** Output bytes ever written: the offset of the next byte. */
  private total = 0;

  constructor(private readonly capBytes: number) {}

  /** The offset of the next output byte (what a browser that saw everything reports). */
  get end(): number {
    return this.total;
  }

  write(data: Buffer) {
    if (!this.capBytes) {
      this.total += data.length;
      return;
    }
    this.chunks.push(data);
    this.kept += data.length;
    this.total += data.length;
    while (this.kept - this.chunks[0].length >= this.capBytes) this.kept -= this.chunks.shift()!.length;
  }

  /**
   * What a browser that shows the first `offset` bytes lacks. `exact`: the bytes follow on from
   * what it shows. Otherwise (a new screen, or the bytes it lacks are gone) the screen is to be
   * cleared and redrawn from the kept bytes, starting after a line break (never mid-sequence).
   */
  since(offset: number): { exact: boolean; bytes: Buffer[] } {
    const first = this.total - this.kept;
    if (offset > 0 && offset >= first && offset <= this.total) {
      return { exact: true, bytes: this.slice(offset - first) };
    }
    const all = this.slice(0);
    if (!all.length) return { exact: false, bytes: [] };
    // The kept bytes start where the cap cut them: from the first line break on.
    if (first > 0) {
      const joined = Buffer.concat(all);
      const lf = joined.indexOf(0x0a);
      return { exact: false, bytes: [lf >= 0 ? joined.subarray(lf + 1) : joined] };
    }
    return { exact: false, bytes: all };
  }

  private slice(from: number): Buffer[] {
    const out: Buffer[] = [];
    let skip = from;
    for (const c of this.chunks) {
      if (skip >= c.length) {
        skip -= c.length;
        continue;
      }
      out.push(skip ? c.subarray(skip) : c);
      skip = 0;
    }
    return out;
  }

  /** Whether the program shows its alternate screen (vim, less, top) at the end of what is kept. */
  get alternateScreen(): boolean {
    for (let i = this.chunks.length - 1; i >= 0; i--) {
      const text = this.chunks[i].toString('latin1');
      const on = Math.max(text.lastIndexOf('\x1b[?1049h'), text.lastIndexOf('\x1b[?47h'), text.lastIndexOf('\x1b[?1047h'));
      const off = Math.max(text.lastIndexOf('\x1b[?1049l'), text.lastIndexOf('\x1b[?47l'), text.lastIndexOf('\x1b[?1047l'));
      if (on > off) return true;
      if (off > on) return false;
    }
    return false;
  }
}
