/** Newline-delimited streams of the API server: logs and watch events. */

/** Splits a byte stream into lines, keeping the unfinished tail for the next chunk. */
export class LineSplitter {
  private rest = '';
  push(chunk: string): string[] {
    const parts = (this.rest + chunk).split('\n');
    this.rest = parts.pop()!;
    return parts;
  }
  /** What is left when the stream ends (a last line without newline). */
  flush(): string[] {
    const last = this.rest;
    this.rest = '';
    return last ? [last] : [];
  }
}
