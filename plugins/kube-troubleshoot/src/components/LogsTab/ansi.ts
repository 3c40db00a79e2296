/** The SGR (colour and style) part of ANSI escape codes, turned into styled text segments. */

export interface AnsiStyle {
  fg?: string;
  bg?: string;
  bold?: boolean;
  dim?: boolean;
  italic?: boolean;
  underline?: boolean;
  inverse?: boolean;
}

export interface AnsiSegment {
  text: string;
  style: AnsiStyle;
}

// Tuned for the dark log background (the VS Code terminal palette).
const BASIC = [
  '#000000',
  '#cd3131',
  '#0dbc79',
  '#e5e510',
  '#2472c8',
  '#bc3fbc',
  '#11a8cd',
  '#e5e5e5',
];
const BRIGHT = [
  '#666666',
  '#f14c4c',
  '#23d18b',
  '#f5f543',
  '#3b8eea',
  '#d670d6',
  '#29b8db',
  '#ffffff',
];

function color256(n: number): string | undefined {
  if (!Number.isInteger(n) || n < 0 || n > 255) return undefined;
  if (n < 8) return BASIC[n];
  if (n < 16) return BRIGHT[n - 8];
  if (n >= 232) {
    const v = 8 + (n - 232) * 10;
    return `rgb(${v},${v},${v})`;
  }
  const i = n - 16;
  const level = (x: number) => (x === 0 ? 0 : 55 + x * 40);
  return `rgb(${level(Math.floor(i / 36))},${level(
    Math.floor(i / 6) % 6,
  )},${level(i % 6)})`;
}

/** Reads an extended colour (`5;n` or `2;r;g;b`) at codes[i]; returns the colour and codes used. */
function extended(codes: number[], i: number): [string | undefined, number] {
  if (codes[i] === 5) return [color256(codes[i + 1]), 2];
  if (codes[i] === 2) {
    const [r, g, b] = codes.slice(i + 1, i + 4);
    const ok = [r, g, b].every(v => Number.isInteger(v) && v >= 0 && v <= 255);
    return [ok ? `rgb(${r},${g},${b})` : undefined, 4];
  }
  return [undefined, 1];
}

function applySgr(style: AnsiStyle, params: string): AnsiStyle {
  const codes =
    params === ''
      ? [0]
      : params.split(/[;:]/).map(p => (p === '' ? 0 : Number(p)));
  let s: AnsiStyle = { ...style };
  for (let i = 0; i < codes.length; i++) {
    const c = codes[i];
    if (c === 0) s = {};
    else if (c === 1) s.bold = true;
    else if (c === 2) s.dim = true;
    else if (c === 3) s.italic = true;
    else if (c === 4) s.underline = true;
    else if (c === 7) s.inverse = true;
    else if (c === 22) s.bold = s.dim = undefined;
    else if (c === 23) s.italic = undefined;
    else if (c === 24) s.underline = undefined;
    else if (c === 27) s.inverse = undefined;
    else if (c >= 30 && c <= 37) s.fg = BASIC[c - 30];
    else if (c >= 90 && c <= 97) s.fg = BRIGHT[c - 90];
    else if (c === 39) s.fg = undefined;
    else if (c >= 40 && c <= 47) s.bg = BASIC[c - 40];
    else if (c >= 100 && c <= 107) s.bg = BRIGHT[c - 100];
    else if (c === 49) s.bg = undefined;
    else if (c === 38 || c === 48) {
      const [value, used] = extended(codes, i + 1);
      if (c === 38) s.fg = value;
      else s.bg = value;
      i += used;
    }
  }
  for (const k of Object.keys(s) as Array<keyof AnsiStyle>)
    if (s[k] === undefined) delete s[k];
  return s;
}

// CSI sequences (colours, cursor moves), OSC sequences (titles, links) and lone two-byte escapes.
const ESCAPE =
  // eslint-disable-next-line no-control-regex
  /\x1b\[([0-9;:?]*)([ -/]*)([@-~])|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-Z\\-_]?/g;

/** Splits a line into styled segments; escape codes other than SGR are dropped. */
export function parseAnsi(line: string): AnsiSegment[] {
  if (!line.includes('\x1b')) return [{ text: line, style: {} }];
  const out: AnsiSegment[] = [];
  let style: AnsiStyle = {};
  let last = 0;
  ESCAPE.lastIndex = 0;
  for (let m = ESCAPE.exec(line); m; m = ESCAPE.exec(line)) {
    if (m.index > last) out.push({ text: line.slice(last, m.index), style });
    if (m[3] === 'm' && !m[2]) style = applySgr(style, m[1]);
    last = ESCAPE.lastIndex;
  }
  if (last < line.length) out.push({ text: line.slice(last), style });
  return out.length ? out : [{ text: '', style: {} }];
}

/** The text a reader sees: the line without escape codes. */
export function stripAnsi(line: string): string {
  return line.includes('\x1b') ? line.replace(ESCAPE, '') : line;
}
