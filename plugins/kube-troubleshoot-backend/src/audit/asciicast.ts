/**
 * asciicast v2 (https://docs.asciinema.org/manual/asciicast/v2/): a JSON header line, then one JSON
 * array per event `[seconds, "o"|"i"|"r"|"m", text]`. Pure: the recorder and the replay both use it.
 */
export interface AsciicastHeader {
  version: 2;
  width: number;
  height: number;
  timestamp: number;
  title?: string;
  env?: Record<string, string>;
}

/** Output, input, a resize, or a marker (`m`: who joined, shared, ended the session). */
export type AsciicastEvent = [number, 'o' | 'i' | 'r' | 'm', string];

export const headerLine = (header: AsciicastHeader) => JSON.stringify(header);

export const eventLine = (event: AsciicastEvent) => JSON.stringify([Number(event[0].toFixed(6)), event[1], event[2]]);

/** Parses a recording; throws naming the line that is not asciicast v2. */
export function parseAsciicast(text: string): { header: AsciicastHeader; events: AsciicastEvent[] } {
  const lines = text.split('\n').filter(Boolean);
  if (!lines.length) throw new Error('empty recording');
  const header = JSON.parse(lines[0]) as AsciicastHeader;
  if (header.version !== 2) throw new Error(`line 1: not an asciicast v2 header`);
  const events = lines.slice(1).map((line, i) => {
    const e = JSON.parse(line) as AsciicastEvent;
    if (!Array.isArray(e) || typeof e[0] !== 'number' || !['o', 'i', 'r', 'm'].includes(e[1]) || typeof e[2] !== 'string') {
      throw new Error(`line ${i + 2}: not an asciicast v2 event`);
    }
    return e;
  });
  return { header, events };
}

/**
 * Turns a session's byte streams into events. Output and input are decoded as UTF-8 across chunk
 * boundaries, so a character split between two chunks is recorded whole.
 */
export class AsciicastEncoder {
  private readonly decoders = { o: new TextDecoder('utf-8'), i: new TextDecoder('utf-8') };

  constructor(private readonly startedAt: number, private readonly now: () => number = () => Date.now()) {}

  private at() {
    return (this.now() - this.startedAt) / 1000;
  }

  output(data: Uint8Array): AsciicastEvent | undefined {
    const text = this.decoders.o.decode(data, { stream: true });
    return text ? [this.at(), 'o', text] : undefined;
  }

  input(data: Uint8Array): AsciicastEvent | undefined {
    const text = this.decoders.i.decode(data, { stream: true });
    return text ? [this.at(), 'i', text] : undefined;
  }

  resize(cols: number, rows: number): AsciicastEvent {
    return [this.at(), 'r', `${cols}x${rows}`];
  }

  marker(label: string): AsciicastEvent {
    return [this.at(), 'm', label];
  }
}
