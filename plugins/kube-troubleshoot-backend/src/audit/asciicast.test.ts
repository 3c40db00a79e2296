import { AsciicastEncoder, eventLine, headerLine, parseAsciicast } from './asciicast';

describe('asciicast v2', () => {
  it('records output, input and resizes with times relative to the start', () => {
    let now = 1000;
    const enc = new AsciicastEncoder(1000, () => now);
    now = 1250;
    expect(enc.output(Buffer.from('$ '))).toEqual([0.25, 'o', '$ ']);
    now = 2000;
    expect(enc.input(Buffer.from('ls\r'))).toEqual([1, 'i', 'ls\r']);
    expect(enc.resize(120, 40)).toEqual([1, 'r', '120x40']);
  });
  it('keeps a UTF-8 character split across chunks whole', () => {
    const enc = new AsciicastEncoder(0, () => 0);
    const euro = Buffer.from('€'); // 3 bytes
    expect(enc.output(euro.subarray(0, 2))).toBeUndefined();
    expect(enc.output(euro.subarray(2))).toEqual([0, 'o', '€']);
  });
  it('writes lines that parse back', () => {
    const text = [headerLine({ version: 2, width: 80, height: 24, timestamp: 1700000000 }), eventLine([0.1234567, 'o', 'hi\r\n'])].join('\n');
    expect(parseAsciicast(text)).toEqual({ header: { version: 2, width: 80, height: 24, timestamp: 1700000000 }, events: [[0.123457, 'o', 'hi\r\n']] });
    expect(() => parseAsciicast('{"version":1}')).toThrow('line 1: not an asciicast v2 header');
    expect(() => parseAsciicast('{"version":2}\n[1,"x","a"]')).toThrow('line 2: not an asciicast v2 event');
  });
});
