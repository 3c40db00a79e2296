import { parseAnsi, stripAnsi } from './ansi';

describe('parseAnsi', () => {
  it.each([
    ['plain text', 'hello', [{ text: 'hello', style: {} }]],
    [
      'a coloured word then reset',
      '\x1b[32mINFO\x1b[0m GET /v1/payments',
      [
        { text: 'INFO', style: { fg: '#0dbc79' } },
        { text: ' GET /v1/payments', style: {} },
      ],
    ],
    [
      'bold bright red on blue, then only bold off',
      '\x1b[1;91;44mERR\x1b[22m x',
      [
        { text: 'ERR', style: { bold: true, fg: '#f14c4c', bg: '#2472c8' } },
        { text: ' x', style: { fg: '#f14c4c', bg: '#2472c8' } },
      ],
    ],
    [
      '256 and true colour',
      '\x1b[38;5;196ma\x1b[48;2;1;2;3mb',
      [
        { text: 'a', style: { fg: 'rgb(255,0,0)' } },
        { text: 'b', style: { fg: 'rgb(255,0,0)', bg: 'rgb(1,2,3)' } },
      ],
    ],
    [
      'an empty SGR resets',
      '\x1b[4mu\x1b[mn',
      [
        { text: 'u', style: { underline: true } },
        { text: 'n', style: {} },
      ],
    ],
    [
      'cursor moves and titles are dropped',
      '\x1b[2K\x1b]0;title\x07done\x1b[1A',
      [{ text: 'done', style: {} }],
    ],
  ])('%s', (_name, input, expected) => {
    expect(parseAnsi(input)).toEqual(expected);
  });
});

describe('stripAnsi', () => {
  it('leaves the visible text', () => {
    expect(stripAnsi('\x1b[33mWARN\x1b[0m slow upstream')).toBe(
      'WARN slow upstream',
    );
    expect(stripAnsi('no codes')).toBe('no codes');
  });
});
