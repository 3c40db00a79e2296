import { toEntry } from './logBuffer';
import { cellText, defaultColumns, jsonFields, jsonOf, parseColumnsParam, restText } from './jsonColumns';

const entry = (text: string, id: number) => toEntry({ type: 'line', cluster: 'c', pod: 'p', container: 'c', timestamp: '2026-01-01T00:00:00Z', text }, id)!;

describe('JSON lines', () => {
  const lines = [
    entry('{"level":"info","msg":"payment settled","id":"pay_1","amount_cents":113}', 1),
    entry('{"level":"warn","msg":"slow","id":"pay_2","upstream":{"name":"ledger"}}', 2),
    entry('INFO not json', 3),
    entry('{"time":"2026-01-01T00:00:00Z","level":"error","msg":"down"}', 4),
  ];

  it('parses JSON lines only, once', () => {
    expect(jsonOf(lines[0])).toMatchObject({ level: 'info' });
    expect(jsonOf(lines[2])).toBeUndefined();
    expect(jsonOf(lines[0])).toBe(jsonOf(lines[0]));
  });

  it('lists the fields seen, most frequent first, and picks time, level and message', () => {
    const fields = jsonFields(lines);
    expect(fields.slice(0, 3)).toEqual(['level', 'msg', 'id']);
    expect(fields).toContain('time');
    expect(defaultColumns(fields)).toEqual(['time', 'level', 'msg']);
    expect(defaultColumns(['message', 'severity'])).toEqual(['severity', 'message']);
  });

  it('shows cells and collapses the rest', () => {
    const o = jsonOf(lines[1])!;
    expect(cellText(o.msg)).toBe('slow');
    expect(cellText(o.upstream)).toBe('{"name":"ledger"}');
    expect(restText(o, ['level', 'msg'])).toBe('id=pay_2 upstream={"name":"ledger"}');
    expect(parseColumnsParam('level, msg,,id')).toEqual(['level', 'msg', 'id']);
    expect(parseColumnsParam('')).toEqual([]);
  });
});
