import { clock, indexAt, parseCast, parseSize } from './replay';

const cast = [
  '{"version":2,"width":80,"height":24,"timestamp":1700000000,"title":"web-1/main"}',
  '[0.1,"o","$ "]',
  '[0.5,"i","ls\\r"]',
  '[0.6,"o","ls\\r\\nfile\\r\\n"]',
  '[1.5,"r","100x30"]',
  '[2.25,"o","$ "]',
].join('\n');

describe('replay', () => {
  it('parses a recording and keeps input apart from what is drawn', () => {
    const c = parseCast(cast);
    expect(c.header).toMatchObject({ width: 80, height: 24 });
    expect(c.events.map(e => e[1])).toEqual(['o', 'o', 'r', 'o']);
    expect(c.input).toEqual([[0.5, 'i', 'ls\r']]);
    expect(c.duration).toBe(2.25);
  });
  it('finds what is on screen at a moment (for seeking)', () => {
    const { events } = parseCast(cast);
    expect(indexAt(events, 0)).toBe(0);
    expect(indexAt(events, 0.1)).toBe(1);
    expect(indexAt(events, 1)).toBe(2);
    expect(indexAt(events, 99)).toBe(4);
    expect(events.slice(0, indexAt(events, 1)).map(e => e[2]).join('')).toBe('$ ls\r\nfile\r\n');
  });
  it('refuses what is not asciicast v2', () => {
    expect(() => parseCast('')).toThrow('the recording is empty');
    expect(() => parseCast('{"version":1}')).toThrow('not an asciicast v2 recording (version 1)');
  });
  it('reads sizes and prints clocks', () => {
    expect(parseSize('100x30')).toEqual({ cols: 100, rows: 30 });
    expect(parseSize('big')).toBeUndefined();
    expect(clock(0)).toBe('0:00');
    expect(clock(125.7)).toBe('2:05');
  });
});
