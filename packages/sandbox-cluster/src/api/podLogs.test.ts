import { ResponseBuffer } from './podLogs';

/** The chunks a ResponseBuffer hands to the response, as byte lengths and text. */
function chunked(writes: string[]) {
  const chunks: Buffer[] = [];
  const body = new ResponseBuffer({ write: (c: Buffer) => chunks.push(Buffer.from(c)) });
  for (const w of writes) body.write(w);
  const beforeFlush = chunks.length;
  body.flush();
  return { sizes: chunks.map(c => c.length), text: Buffer.concat(chunks).toString('utf8'), beforeFlush };
}

describe('ResponseBuffer (net/http chunking of an unflushed log body)', () => {
  it('sends 2,048-byte chunks whatever the line lengths, lines cut anywhere, the rest at the end', () => {
    const lines = Array.from({ length: 100 }, (_, i) => `line ${i} of the log\n`);
    const { sizes, text } = chunked(lines);
    expect(text).toBe(lines.join(''));
    expect(sizes.slice(0, -1).every(s => s === 2048)).toBe(true);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(Buffer.byteLength(lines.join('')));
    expect(sizes[sizes.length - 1]).toBeLessThanOrEqual(2048);
  });

  it('sends nothing before the buffer is full, and nothing for an empty body', () => {
    expect(chunked(['a\n', 'b\n'])).toEqual({ sizes: [4], text: 'a\nb\n', beforeFlush: 0 });
    expect(chunked([]).sizes).toEqual([]);
  });

  it('sends a write of 2,048 bytes or more whole when the buffer is empty, and splits it otherwise', () => {
    const big = 'x'.repeat(5000);
    expect(chunked([big]).sizes).toEqual([5000]);
    expect(chunked(['ab', big]).sizes).toEqual([2048, 2954]);
  });

  it('cuts multi-byte characters between chunks byte-wise, as Go does, the bytes whole when joined', () => {
    const lines = Array.from({ length: 300 }, (_, i) => `été ${i} — ✓\n`);
    const { text, sizes } = chunked(lines);
    expect(text).toBe(lines.join(''));
    expect(sizes.slice(0, -1).every(s => s === 2048)).toBe(true);
  });
});
