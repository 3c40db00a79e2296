/** Newline-delimited streams of the API server: logs and watch events. */
import { StringDecoder } from 'node:string_decoder';

/** Splits a text stream into lines, keeping the unfinished tail for the next chunk. */
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

/**
 * The complete lines of a byte stream, one array per read. The stream stays in bytes until a read:
 * an upstream that writes a line per chunk (as the kubelet's log does) is decoded once per read of
 * everything that arrived meanwhile, not once per chunk. UTF-8 split across chunks stays whole.
 * A last line without newline, at a clean end, is the last batch, or goes to `unterminated` when
 * the caller must first know whether the stream really ended (a follow whose connection was cut).
 */
export async function* lineBatches(stream: AsyncIterable<Buffer | string>, unterminated?: (line: string) => void): AsyncGenerator<string[]> {
  const decoder = new StringDecoder('utf8');
  const splitter = new LineSplitter();
  for await (const chunk of stream) {
    const lines = splitter.push(typeof chunk === 'string' ? chunk : decoder.write(chunk));
    if (lines.length) yield lines;
  }
  const last = `${splitter.flush().join('')}${decoder.end()}`;
  if (!last) return;
  if (unterminated) unterminated(last);
  else yield [last];
}
