import { Readable } from 'node:stream';
import { LineSplitter, lineBatches } from '../clusters/lineSplitter';
import { compareTime, MergeQueue, parseTimedLine, ResumeCursor, takeInTimeOrder, timeKey } from './logLines';

const at = (ns: number) => `2026-01-01T00:00:0${Math.floor(ns / 1e9)}.${String(ns % 1e9).padStart(9, '0')}Z`;

describe('log lines', () => {
  it('splits the kubelet timestamp off', () => {
    expect(parseTimedLine('2026-01-01T00:00:00.000000001Z hello world')).toEqual({ timestamp: '2026-01-01T00:00:00.000000001Z', text: 'hello world' });
    expect(parseTimedLine('no timestamp here')).toEqual({ timestamp: '', text: 'no timestamp here' });
    // Other RFC3339 forms (fewer digits, an offset) are timestamps too; near misses are text.
    expect(parseTimedLine('2026-01-01T00:00:00.5Z x')).toEqual({ timestamp: '2026-01-01T00:00:00.5Z', text: 'x' });
    expect(parseTimedLine('2026-01-01T00:00:00+02:00 x')).toEqual({ timestamp: '2026-01-01T00:00:00+02:00', text: 'x' });
    expect(parseTimedLine('2026-01-01T00:00:00.00000000xZ x')).toEqual({ timestamp: '', text: '2026-01-01T00:00:00.00000000xZ x' });
    expect(parseTimedLine('2026-01-01 00:00:00.000000001Z x').timestamp).toBe('');
    expect(parseTimedLine('2026-01-01T00:00:00.000000001Z')).toEqual({ timestamp: '', text: '2026-01-01T00:00:00.000000001Z' });
    expect(parseTimedLine('2026-01-01T00:00:00.000000001Z ')).toEqual({ timestamp: '2026-01-01T00:00:00.000000001Z', text: '' });
  });
  it('orders timestamps of any precision as times', () => {
    expect(timeKey('2026-01-01T00:00:01.5Z')).toBe('2026-01-01T00:00:01.500000000');
    expect(timeKey('2026-01-01T00:00:01.500000000Z')).toBe('2026-01-01T00:00:01.500000000');
    expect(compareTime('2026-01-01T00:00:01.5Z', '2026-01-01T00:00:01.400000000Z')).toBeGreaterThan(0);
    expect(compareTime('2026-01-01T00:00:01.100000000Z', '2026-01-01T00:00:01.200000000Z')).toBeLessThan(0);
    expect(compareTime('2026-01-01T00:00:01Z', '2026-01-01T00:00:01.000000000Z')).toBe(0);
    expect(compareTime('', '2026-01-01T00:00:01Z')).toBeLessThan(0);
  });
  it('splits chunks into lines across boundaries', () => {
    const s = new LineSplitter();
    expect(s.push('a\nb')).toEqual(['a']);
    expect(s.push('c\n\nd')).toEqual(['bc', '']);
    expect(s.flush()).toEqual(['d']);
  });
  it('reads the complete lines of each read, decoding UTF-8 split across chunks', async () => {
    const bytes = Buffer.from('a 😀\nb\n\nlast é');
    // every byte its own chunk, as an upstream writing byte by byte
    const chunks = [...bytes].map(b => Buffer.from([b]));
    const batches: string[][] = [];
    for await (const lines of lineBatches(Readable.from(chunks))) batches.push(lines);
    expect(batches.flat()).toEqual(['a 😀', 'b', '', 'last é']);
    // chunks read together are one batch
    const together: string[][] = [];
    for await (const lines of lineBatches(Readable.from([Buffer.from('x\ny\nz')]))) together.push(lines);
    expect(together).toEqual([['x', 'y'], ['z']]);
    // or, when asked, handed over apart (a follow holds a cut line until it knows the stream ended)
    const held: string[] = [];
    const heldBatches: string[][] = [];
    for await (const lines of lineBatches(Readable.from([Buffer.from('x\ny\nz')]), l => held.push(l))) heldBatches.push(lines);
    expect([heldBatches, held]).toEqual([[['x', 'y']], ['z']]);
  });
  it('merges sources in time order, stable for equal times, only as far as every open source has lines', () => {
    const q = <T>(items: T[], ended = false): MergeQueue<T> => ({ items, next: 0, ended });
    const a = q([{ timestamp: at(1), id: 'a1' }, { timestamp: at(5), id: 'a5' }]);
    const b = q([{ timestamp: at(1), id: 'b1' }, { timestamp: at(3), id: 'b3' }]);
    const take = <T extends { timestamp: string; id: unknown }>(queues: MergeQueue<T>[], max?: number) => {
      const out: string[] = [];
      const n = takeInTimeOrder(queues, (item, source) => out.push(`${item.id}@${source}`), max);
      expect(n).toBe(out.length);
      return out;
    };
    const ids = (taken: string[]) => taken.map(t => t.split('@')[0]);
    // b runs out first and has not ended: a5 waits, since b's next line could be earlier.
    expect(take([a, b])).toEqual(['a1@0', 'b1@1', 'b3@1']);
    b.items = [{ timestamp: at(6), id: 'b6' }];
    b.next = 0;
    b.ended = true;
    expect(ids(take([a, b]))).toEqual(['a5']);
    a.ended = true;
    expect(ids(take([a, b]))).toEqual(['b6']);
    expect(take([a, b])).toEqual([]);
    // At most `max` at a time, with one source as with several.
    const c = q([1, 2, 3].map(i => ({ timestamp: at(i), id: i })), true);
    expect(ids(take([c], 2))).toEqual(['1', '2']);
    expect(ids(take([c], 2))).toEqual(['3']);
    const d = q([1, 2, 3].map(i => ({ timestamp: at(i), id: String(i) })), true);
    const e = q([{ timestamp: at(2), id: 'e2' }], true);
    expect(take([d, e], 2)).toEqual(['1@0', '2@0']);
    expect(take([d, e], 2)).toEqual(['e2@1', '3@0']);
  });
  it('resumes from the last second without repeating or losing a line', () => {
    const cursor = new ResumeCursor();
    const line = (ns: number, text: string) => ({ timestamp: at(ns), text });
    const first = [line(1_000_000_001, 'a'), line(1_500_000_000, 'b'), line(1_500_000_000, 'c')];
    const delivered = (lines: Array<{ timestamp: string; text: string }>) => lines.filter(l => cursor.accept(l.timestamp)).map(l => l.text);
    expect(delivered(first)).toEqual(['a', 'b', 'c']);
    expect(cursor.sinceTime()).toBe('2026-01-01T00:00:01Z');
    cursor.rewind();
    // the kubelet repeats the whole second, then goes on
    const again = [...first, line(1_700_000_000, 'd'), line(2_000_000_000, 'e')];
    expect(delivered(again)).toEqual(['d', 'e']);
    // a new line at the last instant, after the repeated ones, is delivered
    cursor.rewind();
    expect(delivered([line(2_000_000_000, 'e'), line(2_000_000_000, 'f'), line(2_100_000_000, 'g')])).toEqual(['f', 'g']);
  });
  it('delivers lines stamped out of order outside a resume, and skips them when repeated', () => {
    const cursor = new ResumeCursor();
    const line = (ns: number, text: string) => ({ timestamp: at(ns), text });
    const delivered = (lines: Array<{ timestamp: string; text: string }>) => lines.filter(l => cursor.accept(l.timestamp)).map(l => l.text);
    // stdout and stderr are stamped apart: a stderr line can be a little earlier than the stdout line before it
    const crossed = [line(1_200_000_000, 'out'), line(1_100_000_000, 'err'), line(1_300_000_000, 'out2')];
    expect(delivered(crossed)).toEqual(['out', 'err', 'out2']);
    cursor.rewind();
    expect(delivered([...crossed, line(1_400_000_000, 'new')])).toEqual(['new']);
    // lines without a timestamp are always delivered; a cursor that delivered none has nothing to skip
    const fresh = new ResumeCursor();
    fresh.rewind();
    expect(['', at(1)].map(t => fresh.accept(t))).toEqual([true, true]);
    expect(fresh.sinceTime()).toBe('2026-01-01T00:00:00Z');
  });
});
