import { formatEntry, parseEntries, renderEntry, selectEntries } from './containerLog';
import { formatNs, parseRfc3339Ns } from './clock';

const t0 = parseRfc3339Ns('2026-01-01T00:00:00Z')!;
const entries = [0, 1, 2, 3].map(i => ({ ns: t0 + BigInt(i) * 1_000_000_000n, stream: 'stdout' as const, partial: false, content: `line ${i}` }));

describe('container log files', () => {
  it('round-trips the CRI format', () => {
    const text = entries.map(formatEntry).join('');
    expect(text.split('\n')[0]).toBe('2026-01-01T00:00:00.000000000Z stdout F line 0');
    expect(parseEntries(text)).toEqual(entries);
  });
  it('formats RFC3339 with exactly nine fractional digits', () => {
    expect(formatNs(t0 + 1_234_567n)).toBe('2026-01-01T00:00:00.001234567Z');
    expect(parseRfc3339Ns('2026-01-01T01:00:00.5+01:00')).toBe(t0 + 500_000_000n);
    expect(parseRfc3339Ns('yesterday')).toBeUndefined();
  });
  it('selects by sinceTime and tailLines like the kubelet', () => {
    expect(selectEntries(entries, { tailLines: 2 }).map(e => e.content)).toEqual(['line 2', 'line 3']);
    expect(selectEntries(entries, { tailLines: 0 })).toEqual([]);
    expect(selectEntries(entries, { sinceNs: t0 + 2_000_000_000n }).map(e => e.content)).toEqual(['line 2', 'line 3']);
    expect(selectEntries(entries, { sinceNs: t0 + 1_000_000_000n, tailLines: 1 }).map(e => e.content)).toEqual(['line 3']);
  });
  it('renders timestamps on request and keeps partial lines without a newline', () => {
    expect(renderEntry(entries[0], true)).toBe('2026-01-01T00:00:00.000000000Z line 0\n');
    expect(renderEntry({ ...entries[0], partial: true }, false)).toBe('line 0');
  });
});
