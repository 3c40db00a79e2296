import { goQuote, parseRfc3339, QueryParams } from './queryParams';
import { StatusError } from './status';

const q = (query: string) => new QueryParams(new URLSearchParams(query));

/** The 400's message of a conversion that fails. */
function refusal(convert: () => unknown): string {
  try {
    convert();
  } catch (e) {
    expect(e).toBeInstanceOf(StatusError);
    expect((e as StatusError).status).toMatchObject({ code: 400, reason: 'BadRequest' });
    return (e as StatusError).status.message ?? '';
  }
  throw new Error('no refusal');
}

describe('query parameters as the apiserver converts them', () => {
  it.each([
    ['', false],
    ['follow', true],
    ['follow=', true],
    ['follow=true', true],
    ['follow=True', true],
    ['follow=TRUE', true],
    ['follow=1', true],
    ['follow=yes', true],
    ['follow=no', true],
    ['follow=00', true],
    ['follow=%20false', true],
    ['follow=false', false],
    ['follow=False', false],
    ['follow=FALSE', false],
    ['follow=0', false],
    ['follow=0&follow=1', false],
    ['follow=1&follow=0', true],
    ['Follow=true', false],
    ['other=true', false],
  ])('boolean %j is %s (Convert_Slice_string_To_bool)', (query, expected) => {
    expect(q(query).bool('follow')).toBe(expected);
  });

  it('a pointer boolean is undefined only when absent', () => {
    expect(q('').optionalBool('sendInitialEvents')).toBeUndefined();
    expect(q('sendInitialEvents=false').optionalBool('sendInitialEvents')).toBe(false);
    expect(q('sendInitialEvents').optionalBool('sendInitialEvents')).toBe(true);
  });

  it.each([
    ['tailLines=10', 10],
    ['tailLines=-3', -3],
    ['tailLines=%2B5', 5],
    ['tailLines=007', 7],
    ['tailLines=9223372036854775807', 9223372036854775807],
    ['tailLines=1&tailLines=x', 1],
    ['', undefined],
  ])('integer %j is %s (strconv.ParseInt)', (query, expected) => {
    expect(q(query).int64('tailLines')).toBe(expected);
  });

  it.each([
    ['tailLines=', 'strconv.ParseInt: parsing "": invalid syntax'],
    ['tailLines', 'strconv.ParseInt: parsing "": invalid syntax'],
    ['tailLines=abc', 'strconv.ParseInt: parsing "abc": invalid syntax'],
    ['tailLines=1.0', 'strconv.ParseInt: parsing "1.0": invalid syntax'],
    ['tailLines=0x10', 'strconv.ParseInt: parsing "0x10": invalid syntax'],
    ['tailLines=1_0', 'strconv.ParseInt: parsing "1_0": invalid syntax'],
    // a literal + in a query is a space
    ['tailLines=+5', 'strconv.ParseInt: parsing " 5": invalid syntax'],
    ['tailLines=5%20', 'strconv.ParseInt: parsing "5 ": invalid syntax'],
    ['tailLines=x&tailLines=1', 'strconv.ParseInt: parsing "x": invalid syntax'],
    ['tailLines=99999999999999999999', 'strconv.ParseInt: parsing "99999999999999999999": value out of range'],
    ['tailLines=-9223372036854775809', 'strconv.ParseInt: parsing "-9223372036854775809": value out of range'],
    ['tailLines=%22%0A', 'strconv.ParseInt: parsing "\\"\\n": invalid syntax'],
  ])('integer %j is a 400: %s', (query, message) => {
    expect(refusal(() => q(query).int64('tailLines'))).toBe(message);
  });

  it('strings take the first value, lists every value in order', () => {
    expect(q('container=a&container=b').string('container')).toBe('a');
    expect(q('container=').string('container')).toBe('');
    expect(q('').string('container')).toBeUndefined();
    expect(q('command=sh&command=-c&command=echo+hi').strings('command')).toEqual(['sh', '-c', 'echo hi']);
    expect(q('').strings('command')).toEqual([]);
  });

  it.each([
    ['2024-05-01T12:00:00Z', Date.UTC(2024, 4, 1, 12), 0n],
    ['2024-05-01T12:00:00.5Z', Date.UTC(2024, 4, 1, 12), 500_000_000n],
    ['2024-05-01T12:00:00.123456789Z', Date.UTC(2024, 4, 1, 12), 123_456_789n],
    ['2024-05-01T14:30:00+02:30', Date.UTC(2024, 4, 1, 12), 0n],
    ['2024-02-29T00:00:00Z', Date.UTC(2024, 1, 29), 0n],
  ])('time %j (RFC3339, fractions allowed)', (value, ms, nanos) => {
    expect(parseRfc3339(value)).toBe(BigInt(ms) * 1_000_000n + nanos);
  });

  it('an empty time or null is the zero time, an absent one none', () => {
    expect(q('sinceTime=').time('sinceTime')).toBe(0n);
    expect(q('sinceTime=null').time('sinceTime')).toBe(0n);
    expect(q('').time('sinceTime')).toBeUndefined();
  });

  it.each([
    ['abc', 'parsing time "abc" as "2006-01-02T15:04:05Z07:00": cannot parse "abc" as "2006"'],
    ['2024-05-01 12:00:00Z', 'parsing time "2024-05-01 12:00:00Z" as "2006-01-02T15:04:05Z07:00": cannot parse " 12:00:00Z" as "T"'],
    ['2024-05-01T12:00:00', 'parsing time "2024-05-01T12:00:00" as "2006-01-02T15:04:05Z07:00": cannot parse "" as "Z07:00"'],
    ['2024-5-01T12:00:00Z', 'parsing time "2024-5-01T12:00:00Z" as "2006-01-02T15:04:05Z07:00": cannot parse "5-01T12:00:00Z" as "01"'],
    ['2024-13-01T00:00:00Z', 'parsing time "2024-13-01T00:00:00Z": month out of range'],
    ['2023-02-29T00:00:00Z', 'parsing time "2023-02-29T00:00:00Z": day out of range'],
    ['2024-05-01T24:00:00Z', 'parsing time "2024-05-01T24:00:00Z": hour out of range'],
    ['2024-05-01T12:00:00Zjunk', 'parsing time "2024-05-01T12:00:00Zjunk": extra text: "junk"'],
  ])('time %j is a 400: %s', (value, message) => {
    expect(refusal(() => parseRfc3339(value))).toBe(message);
  });

  it('quotes as Go does', () => {
    expect(goQuote('a"b\\c\n\t\x01é')).toBe('"a\\"b\\\\c\\n\\t\\x01é"');
  });
});
