import { formatTimestamp } from './timeFormat';

describe('formatTimestamp', () => {
  const iso = '2026-12-02T05:21:21.123456789Z';
  it('shows UTC to the millisecond, as Kubernetes writes it', () => {
    expect(formatTimestamp(iso, 'utc')).toBe('2026-12-02T05:21:21.123Z');
  });
  it("shows the browser's local time", () => {
    const d = new Date('2026-12-02T05:21:21.123Z');
    const want = `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')} ${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}:21.123`;
    expect(formatTimestamp(iso, 'local')).toBe(want);
  });
  it('leaves what it cannot read as it came', () => {
    expect(formatTimestamp('not a time', 'local')).toBe('not a time');
  });
});
