import { badRequest } from './status';

/**
 * Query parameters read the way the apiserver reads them into option structs (`PodLogOptions`,
 * `PodExecOptions`, `ListOptions`, `DeleteOptions`): the generated `url.Values` conversions and
 * apimachinery's `runtime.Convert_Slice_string_To_*` (KUBERNETES.md, section 1).
 * - A parameter given twice counts once, by its first value; a list (`command`) takes every value.
 * - A boolean is false only when absent, `0`, or `false` in any case (`?follow`, `True`, `yes`: true).
 * - An integer is Go's `strconv.ParseInt(s, 10, 64)`: a sign, decimal digits, within int64.
 * - A time is RFC3339 (`metav1.Time.UnmarshalQueryParameter`); empty or `null` is the zero time.
 * - Names are case-sensitive and unknown ones are ignored: there is no strict mode for queries.
 * A value that does not convert is the apiserver's 400 BadRequest, with Go's own message.
 */
export class QueryParams {
  constructor(private readonly params: URLSearchParams) {}

  has(name: string): boolean {
    return this.params.has(name);
  }

  /** The first value, or undefined when the parameter is absent. */
  string(name: string): string | undefined {
    return this.params.has(name) ? this.params.get(name)! : undefined;
  }

  /** Every value, in order (`[]string` fields: exec `command`, delete `dryRun`). */
  strings(name: string): string[] {
    return this.params.getAll(name);
  }

  /** `Convert_Slice_string_To_bool`: false only when absent, `0` or `false` (any case). */
  bool(name: string): boolean {
    return this.optionalBool(name) ?? false;
  }

  /** `Convert_Slice_string_To_Pointer_bool`: undefined when absent, else as `bool`. */
  optionalBool(name: string): boolean | undefined {
    const v = this.string(name);
    if (v === undefined) return undefined;
    return !(v === '0' || v.toLowerCase() === 'false');
  }

  /** `Convert_Slice_string_To_Pointer_int64`: undefined when absent; a value that is no int64 is a 400. */
  int64(name: string): number | undefined {
    const v = this.string(name);
    return v === undefined ? undefined : parseGoInt64(v);
  }

  /**
   * `Convert_Slice_string_To_Pointer_v1_Time`: undefined when absent, nanoseconds since the epoch
   * otherwise (0 for an empty value or `null`, the zero time's stand-in); not RFC3339 is a 400.
   */
  time(name: string): bigint | undefined {
    const v = this.string(name);
    if (v === undefined) return undefined;
    if (v === '' || v === 'null') return 0n;
    return parseRfc3339(v);
  }
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Go's `%q` of a string, as strconv's and time's errors quote the input. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (c === 7) out += '\\a';
    else if (c === 8) out += '\\b';
    else if (c === 12) out += '\\f';
    else if (c === 10) out += '\\n';
    else if (c === 13) out += '\\r';
    else if (c === 9) out += '\\t';
    else if (c === 11) out += '\\v';
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

/** `strconv.ParseInt(s, 10, 64)`, with its error text as a 400. */
export function parseGoInt64(s: string): number {
  if (!/^[+-]?\d+$/.test(s)) throw badRequest(`strconv.ParseInt: parsing ${goQuote(s)}: invalid syntax`);
  const n = BigInt(s);
  if (n < INT64_MIN || n > INT64_MAX) throw badRequest(`strconv.ParseInt: parsing ${goQuote(s)}: value out of range`);
  return Number(n);
}

const RFC3339_LAYOUT = '2006-01-02T15:04:05Z07:00';

/**
 * `time.Parse(time.RFC3339, s)` to nanoseconds since the epoch, with Go's error text: the element
 * of the layout that did not match and the rest of the input from there
 * (`parsing time "x" as "2006-01-02T15:04:05Z07:00": cannot parse "x" as "2006"`), or the field out
 * of range. Fractional seconds are accepted after the seconds, as Go does. For input from a
 * client; the container log files the sandbox writes itself are read by clock's faster
 * `parseRfc3339Ns`.
 */
export function parseRfc3339(s: string): bigint {
  const fail = (rest: string, element: string): never => {
    throw badRequest(`parsing time ${goQuote(s)} as ${goQuote(RFC3339_LAYOUT)}: cannot parse ${goQuote(rest)} as ${goQuote(element)}`);
  };
  const range = (what: string): never => {
    throw badRequest(`parsing time ${goQuote(s)}: ${what} out of range`);
  };
  let at = 0;
  const digits = (n: number, element: string) => {
    const part = s.slice(at, at + n);
    if (!new RegExp(`^\\d{${n}}$`).test(part)) fail(s.slice(at), element);
    at += n;
    return Number(part);
  };
  const literal = (text: string, element: string) => {
    if (s.slice(at, at + text.length) !== text) fail(s.slice(at), element);
    at += text.length;
  };
  const year = digits(4, '2006');
  literal('-', '-');
  const month = digits(2, '01');
  literal('-', '-');
  const day = digits(2, '02');
  literal('T', 'T');
  const hour = digits(2, '15');
  literal(':', ':');
  const minute = digits(2, '04');
  literal(':', ':');
  const second = digits(2, '05');
  let nanos = 0n;
  if (s[at] === '.' || s[at] === ',') {
    const m = /^[.,](\d+)/.exec(s.slice(at));
    if (!m) fail(s.slice(at), 'Z07:00');
    nanos = BigInt(m![1].slice(0, 9).padEnd(9, '0'));
    at += m![0].length;
  }
  let offsetMinutes = 0;
  if (s[at] === 'Z') at += 1;
  else {
    const m = /^([+-])(\d\d):(\d\d)/.exec(s.slice(at));
    if (!m) fail(s.slice(at), 'Z07:00');
    if (Number(m![2]) > 24 || Number(m![3]) > 59) range('time zone offset');
    offsetMinutes = (m![1] === '-' ? -1 : 1) * (Number(m![2]) * 60 + Number(m![3]));
    at += m![0].length;
  }
  if (at !== s.length) throw badRequest(`parsing time ${goQuote(s)}: extra text: ${goQuote(s.slice(at))}`);
  if (month < 1 || month > 12) range('month');
  const daysIn = [31, year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
  if (day < 1 || day > daysIn) range('day');
  if (hour > 23) range('hour');
  if (minute > 59) range('minute');
  if (second > 59) range('second');
  const utc = new Date(0);
  utc.setUTCFullYear(year, month - 1, day); // not Date.UTC, which reads years below 100 as 19xx
  utc.setUTCHours(hour, minute, second, 0);
  const ms = utc.getTime() - offsetMinutes * 60_000;
  return BigInt(ms) * 1_000_000n + nanos;
}
