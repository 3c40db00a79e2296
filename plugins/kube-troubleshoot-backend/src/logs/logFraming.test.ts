import { LogStreamMessage } from '@kube-troubleshoot/backstage-plugin-common';
import { ndjsonFormat, textFormat } from './logFraming';
import { parseTimedLine } from './logLines';

const tags = { cluster: 'c"1', pod: 'p\\1', container: 'c' };
const line = (text: string, timestamp = '2026-01-01T00:00:00.000000001Z'): Extract<LogStreamMessage, { type: 'line' }> => ({ type: 'line', ...tags, timestamp, text });

describe('log framing', () => {
  it('frames a line with the same bytes as JSON.stringify, whatever its text holds', () => {
    const frame = ndjsonFormat.lineFramer(tags);
    for (const text of ['plain', 'quotes " and \\ backslash', 'tab\tnew\nline\r', '\u0000\u001f control', 'emoji 😀 é 中', '\ud800 lone surrogate', '']) {
      const m = line(text);
      expect(frame(m.timestamp, m.text)).toBe(`${JSON.stringify(m)}\n`);
      expect(JSON.parse(frame(m.timestamp, m.text))).toEqual(m);
    }
  });
  it('frames every timestamp a line can be parsed with as JSON.stringify does', () => {
    const frame = ndjsonFormat.lineFramer(tags);
    for (const raw of ['2026-01-01T00:00:00.000000001Z x', '2026-01-01T00:00:00.5Z x', '2026-01-01T00:00:00+02:00 x', 'no timestamp "here"']) {
      const { timestamp, text } = parseTimedLine(raw);
      expect(frame(timestamp, text)).toBe(`${JSON.stringify(line(text, timestamp))}\n`);
    }
  });
  it('frames other messages as JSON', () => {
    const messages: LogStreamMessage[] = [{ type: 'notice', message: 'n', pod: 'p' }, { type: 'error', message: 'e', statusCode: 400 }, { type: 'end' }];
    for (const m of messages) expect(ndjsonFormat.message(m)).toBe(`${JSON.stringify(m)}\n`);
  });
  it('writes a downloaded line with its timestamp and its pod when asked', () => {
    const m = line('x');
    expect(textFormat({ timestamps: true, tagged: true }).lineFramer(tags)(m.timestamp, m.text)).toBe('2026-01-01T00:00:00.000000001Z [p\\1/c] x\n');
    expect(textFormat({ timestamps: false, tagged: false }).lineFramer(tags)(m.timestamp, m.text)).toBe('x\n');
    expect(textFormat({ timestamps: false, tagged: false }).message({ type: 'error', message: 'gone' })).toBe('# error: gone\n');
    expect(textFormat({ timestamps: false, tagged: false }).message({ type: 'end' })).toBe('');
  });
});
