import { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { NdjsonDecoder, readNdjson } from './ndjson';

const bytes = (s: string) => new TextEncoder().encode(s);

function streamOf(chunks: Uint8Array[]): ReadableStream<Uint8Array> {
  return new NodeReadableStream<Uint8Array>({
    start(controller) {
      for (const c of chunks) controller.enqueue(c);
      controller.close();
    },
  }) as unknown as ReadableStream<Uint8Array>;
}

describe('NdjsonDecoder', () => {
  it('joins a value split across chunks mid-line', () => {
    const d = new NdjsonDecoder<{ n: number }>();
    expect(d.push(bytes('{"n":'))).toEqual([]);
    expect(d.push(bytes('1}\n{"n"'))).toEqual([{ n: 1 }]);
    expect(d.push(bytes(':2}\n'))).toEqual([{ n: 2 }]);
    expect(d.flush()).toEqual([]);
  });

  it('returns every value of a chunk holding many lines, skipping blank ones and CRs', () => {
    const d = new NdjsonDecoder<{ n: number }>();
    expect(d.push(bytes('{"n":1}\n\n{"n":2}\r\n{"n":3}\n{"n":4}'))).toEqual([
      { n: 1 },
      { n: 2 },
      { n: 3 },
    ]);
    expect(d.flush()).toEqual([{ n: 4 }]);
  });

  it('keeps a multi-byte character split between chunks intact', () => {
    const d = new NdjsonDecoder<{ t: string }>();
    const all = bytes('{"t":"grüße ✓"}\n');
    const cut = 9; // inside the two bytes of ü
    expect(d.push(all.slice(0, cut))).toEqual([]);
    expect(d.push(all.slice(cut))).toEqual([{ t: 'grüße ✓' }]);
  });

  it('names a line that is not JSON', () => {
    const d = new NdjsonDecoder();
    expect(() => d.push('<html>\n')).toThrow(/not JSON: <html>/);
  });
});

describe('readNdjson', () => {
  it('delivers each value of a stream in order, including a last line without newline', async () => {
    const seen: unknown[] = [];
    await readNdjson(
      streamOf([
        bytes('{"a":1}\n{"a"'),
        bytes(':2}\n{"a":3}\n{'),
        bytes('"a":4}'),
      ]),
      m => seen.push(m),
    );
    expect(seen).toEqual([{ a: 1 }, { a: 2 }, { a: 3 }, { a: 4 }]);
  });

  it('stops quietly when aborted mid-stream', async () => {
    const controller = new AbortController();
    let pull = 0;
    const body = new NodeReadableStream<Uint8Array>({
      pull(c) {
        pull += 1;
        c.enqueue(bytes(`{"i":${pull}}\n`));
      },
    }) as unknown as ReadableStream<Uint8Array>;
    const seen: number[] = [];
    await readNdjson<{ i: number }>(
      body,
      m => {
        seen.push(m.i);
        if (m.i === 3) controller.abort();
      },
      controller.signal,
    );
    expect(seen).toEqual([1, 2, 3]);
  });
});
