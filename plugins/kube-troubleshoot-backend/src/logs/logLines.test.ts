import { LineSplitter } from '../clusters/lineSplitter';
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
  it('merges sources in time order, stable for equal times, only as far as every open source has lines', () => {
    const q = <T>(items: T[], ended = false): MergeQueue<T> => ({ items, next: 0, ended });
    const a = q([{ timestamp: at(1), id: 'a1' }, { timestamp: at(5), id: 'a5' }]);
    const b = q([{ timestamp: at(1), id: 'b1' }, { timestamp: at(3), id: 'b3' }]);
    // b runs out first and has not ended: a5 waits, since b's next line could be earlier.
    expect(takeInTimeOrder([a, b]).map(x => `${x.item.id}@${x.source}`)).toEqual(['a1@0', 'b1@1', 'b3@1']);
    b.items = [{ timestamp: at(6), id: 'b6' }];
    b.next = 0;
    b.ended = true;
    expect(takeInTimeOrder([a, b]).map(x => x.item.id)).toEqual(['a5']);
    a.ended = true;
    expect(takeInTimeOrder([a, b]).map(x => x.item.id)).toEqual(['b6']);
    expect(takeInTimeOrder([a, b])).toEqual([]);
    // At most `max` at a time.
    const c = q([1, 2, 3].map(i => ({ timestamp: at(i), id: i })), true);
    expect(takeInTimeOrder([c], 2).map(x => x.item.id)).toEqual([1, 2]);
    expect(takeInTimeOrder([c], 2).map(x => x.item.id)).toEqual([3]);
  });
  it('resumes from the last second without repeating or losing a line', () => {
    const cursor = new ResumeCursor();
    const line = (ns: number, text: string) => ({ timestamp: at(ns), text });
    const first = [line(1_000_000_001, 'a'), line(1_500_000_000, 'b'), line(1_500_000_000, 'c')];
    expect(first.filter(l => cursor.accept(l)).map(l => l.text)).toEqual(['a', 'b', 'c']);
    expect(cursor.sinceTime()).toBe('2026-01-01T00:00:01Z');
    cursor.rewind();
    // the kubelet repeats the whole second, then goes on
    const again = [...first, line(1_700_000_000, 'd'), line(2_000_000_000, 'e')];
    expect(again.filter(l => cursor.accept(l)).map(l => l.text)).toEqual(['d', 'e']);
  });
});
