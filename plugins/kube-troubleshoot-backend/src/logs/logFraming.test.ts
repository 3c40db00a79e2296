import { LogStreamMessage } from '@kube-troubleshoot/backstage-plugin-common';
import { ndjsonMessage, textMessage } from './logFraming';

const line = (text: string): LogStreamMessage => ({ type: 'line', cluster: 'c"1', pod: 'p\\1', container: 'c', timestamp: '2026-01-01T00:00:00.000000001Z', text });

describe('log framing', () => {
  it('frames a line with the same bytes as JSON.stringify, whatever its text holds', () => {
    for (const text of ['plain', 'quotes " and \\ backslash', 'tab\tnew\nline\r', '\u0000\u001f control', 'emoji 😀 é 中', '\ud800 lone surrogate', '']) {
      const m = line(text);
      expect(ndjsonMessage(m)).toBe(`${JSON.stringify(m)}\n`);
      expect(JSON.parse(ndjsonMessage(m))).toEqual(m);
    }
  });
  it('frames other messages as JSON', () => {
    const messages: LogStreamMessage[] = [{ type: 'notice', message: 'n', pod: 'p' }, { type: 'error', message: 'e', statusCode: 400 }, { type: 'end' }];
    for (const m of messages) expect(ndjsonMessage(m)).toBe(`${JSON.stringify(m)}\n`);
  });
  it('writes a downloaded line with its timestamp and its pod when asked', () => {
    expect(textMessage(line('x'), { timestamps: true, tagged: true })).toBe('2026-01-01T00:00:00.000000001Z [p\\1/c] x\n');
    expect(textMessage(line('x'), { timestamps: false, tagged: false })).toBe('x\n');
    expect(textMessage({ type: 'error', message: 'gone' }, { timestamps: false, tagged: false })).toBe('# error: gone\n');
    expect(textMessage({ type: 'end' }, { timestamps: false, tagged: false })).toBe('');
  });
});
