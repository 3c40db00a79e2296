import { LogBuffer, LogEntry, toEntry } from './logBuffer';
import { createMatcher, findMatches, Matcher, searchLines } from './search';

const entry = (id: number, text = `line ${id}`): LogEntry => ({
  id,
  kind: 'line',
  text,
  plain: text,
});

describe('LogBuffer', () => {
  it('keeps the newest entries up to its capacity and counts what it dropped', () => {
    const b = new LogBuffer(5);
    expect(b.append([1, 2, 3].map(i => entry(i)))).toBe(0);
    expect(b.append([4, 5, 6, 7].map(i => entry(i)))).toBe(2);
    expect(b.lines.map(l => l.id)).toEqual([3, 4, 5, 6, 7]);
    expect(b.append([8, 9, 10, 11, 12, 13].map(i => entry(i)))).toBe(6);
    expect(b.lines.map(l => l.id)).toEqual([9, 10, 11, 12, 13]);
    expect(b.dropped).toBe(8);
    expect(b.lastId).toBe(13);
  });

  it('holds 200,000 lines by default and stays there', () => {
    const b = new LogBuffer();
    const batch = (from: number) =>
      Array.from({ length: 50_000 }, (_, i) => entry(from + i));
    for (let i = 0; i < 5; i++) b.append(batch(i * 50_000 + 1));
    expect(b.lines).toHaveLength(200_000);
    expect(b.lines[0].id).toBe(50_001);
  });

  it('strips ANSI codes for search but keeps them for display', () => {
    const e = toEntry(
      {
        type: 'line',
        cluster: 'c',
        pod: 'p',
        container: 'api',
        timestamp: 't',
        text: '\x1b[32mINFO\x1b[0m ok',
      },
      1,
    );
    expect(e).toMatchObject({
      text: '\x1b[32mINFO\x1b[0m ok',
      plain: 'INFO ok',
      pod: 'p',
    });
    expect(toEntry({ type: 'end' }, 2)).toBeUndefined();
    expect(
      toEntry({ type: 'notice', message: 'reconnected' }, 3),
    ).toMatchObject({ kind: 'notice', text: 'reconnected' });
  });
});

describe('search', () => {
  const m = (text: string, regex = false, caseSensitive = false) =>
    createMatcher({ text, regex, caseSensitive }) as Matcher;

  it('matches literally by default, ignoring case', () => {
    expect(findMatches('GET /a.b 200, get /axb', m('a.b'))).toEqual([[5, 8]]);
    expect(findMatches('GET get', m('get'))).toEqual([
      [0, 3],
      [4, 7],
    ]);
    expect(findMatches('GET get', m('get', false, true))).toEqual([[4, 7]]);
  });

  it('matches regular expressions when asked, and explains bad ones', () => {
    expect(findMatches('pay_00012 pay_9', m('pay_\\d{5}', true))).toEqual([
      [0, 9],
    ]);
    expect(
      createMatcher({ text: '(', regex: true, caseSensitive: false }),
    ).toEqual({
      error: expect.stringMatching(/^Invalid regular expression/),
    });
    expect(
      createMatcher({ text: 'x*', regex: true, caseSensitive: false }),
    ).toEqual({
      error: expect.stringMatching(/empty text/),
    });
    expect(
      createMatcher({ text: '', regex: true, caseSensitive: false }),
    ).toBeUndefined();
  });

  it('counts matches and lines, and re-runs the pattern only on new lines', () => {
    const lines = [
      entry(1, 'error a error'),
      entry(2, 'ok'),
      entry(3, 'ERROR b'),
    ];
    const matcher = m('error');
    expect(searchLines(lines, matcher)).toEqual({ total: 3, lines: [0, 2] });
    const spy = jest.spyOn(matcher.pattern, 'exec');
    lines.push(entry(4, 'one more error'));
    expect(searchLines(lines, matcher)).toEqual({ total: 4, lines: [0, 2, 3] });
    expect(spy).toHaveBeenCalledTimes(2); // one match and the end, on line 4 only
  });
});
