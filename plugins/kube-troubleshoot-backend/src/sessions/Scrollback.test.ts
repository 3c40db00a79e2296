import { Scrollback } from './Scrollback';

const text = (parts: Buffer[]) => Buffer.concat(parts).toString();

describe('Scrollback', () => {
  it('gives a browser exactly what it lacks after its offset', () => {
    const s = new Scrollback(1024);
    s.write(Buffer.from('hello '));
    s.write(Buffer.from('world\n'));
    expect(s.end).toBe(12);
    expect(s.since(6)).toEqual({ exact: true, bytes: [Buffer.from('world\n')] });
    expect(text(s.since(3).bytes)).toBe('lo world\n');
    expect(s.since(12)).toEqual({ exact: true, bytes: [] });
  });

  it('redraws from what is kept for a new screen, or when what it lacks is gone, from a line start', () => {
    const s = new Scrollback(10);
    s.write(Buffer.from('aaaa\nbbbb\n'));
    s.write(Buffer.from('cccc\ndd'));
    s.write(Buffer.from('dd\neeee\n'));
    // The oldest chunk went (at least the cap is kept); the rest starts after its first line break.
    expect(s.since(0).exact).toBe(false);
    expect(text(s.since(0).bytes)).toBe('dddd\neeee\n');
    expect(s.since(3)).toMatchObject({ exact: false });
    expect(text(s.since(17).bytes)).toBe('dd\neeee\n');
    expect(s.since(17).exact).toBe(true);
  });

  it('keeps nothing with a cap of 0 but still counts', () => {
    const s = new Scrollback(0);
    s.write(Buffer.from('abc'));
    expect(s.end).toBe(3);
    expect(s.since(3)).toEqual({ exact: true, bytes: [] });
    expect(s.since(0)).toEqual({ exact: false, bytes: [] });
  });

  it('tells whether a program shows its alternate screen', () => {
    const s = new Scrollback(1024);
    s.write(Buffer.from('$ vim\r\n\x1b[?1049h\x1b[H~'));
    expect(s.alternateScreen).toBe(true);
    s.write(Buffer.from('x'));
    expect(s.alternateScreen).toBe(true);
    s.write(Buffer.from('\x1b[?1049l$ '));
    expect(s.alternateScreen).toBe(false);
  });
});
