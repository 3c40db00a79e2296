import { LineSplitter } from '../clusters/lineSplitter';
import { mergeByTime, parseTimedLine, ResumeCursor } from './logLines';

const at = (ns: number) => `2026-01-01T00:00:0${Math.floor(ns / 1e9)}.${String(ns % 1e9).padStart(9, '0')}Z`;

describe('log lines', () => {
  it('splits the kubelet timestamp off', () => {
    expect(parseTimedLine('2026-01-01T00:00:00.000000001Z hello world')).toEqual({ timestamp: '2026-01-01T00:00:00.000000001Z', text: 'hello world' });
    expect(parseTimedLine('no timestamp here')).toEqual({ timestamp: '', text: 'no timestamp here' });
  });
  it('splits chunks into lines across boundaries', () => {
    const s = new LineSplitter();
    expect(s.push('a\nb')).toEqual(['a']);
    expect(s.push('c\n\nd')).toEqual(['bc', '']);
    expect(s.flush()).toEqual(['d']);
  });
  it('merges sources in time order, stable for equal times', () => {
    const a = [{ timestamp: at(1), id: 'a1' }, { timestamp: at(5), id: 'a5' }];
    const b = [{ timestamp: at(1), id: 'b1' }, { timestamp: at(3), id: 'b3' }];
    expect(mergeByTime([a, b]).map(x => x.id)).toEqual(['a1', 'b1', 'b3', 'a5']);
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
