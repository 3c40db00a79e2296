import { cpuQuantity, memoryQuantity, parseQuantity, QUANTITY_FORMAT_ERROR } from './quantity';

describe('quantities', () => {
  it.each([
    ['64Mi', 64 * 2 ** 20],
    ['1Gi', 2 ** 30],
    ['100M', 100e6],
    ['128974848', 128974848],
    ['129e6', 129e6],
    ['129E+6', 129e6],
    ['500m', 0.5],
    ['0.5', 0.5],
    ['.5', 0.5],
    ['1.', 1],
    ['+2k', 2000],
    ['-1', -1],
    ['250u', 250e-6],
    ['7n', 7e-9],
    [67108864, 67108864],
  ])('%j is %d in its base unit', (q, v) => expect(parseQuantity(q)).toBeCloseTo(v, 12));

  it.each([
    ['64MB', QUANTITY_FORMAT_ERROR],
    ['64KM', "unable to parse quantity's suffix"],
    ['1Ki2', "unable to parse quantity's suffix"],
    ['1..2', 'unable to parse numeric part of quantity'],
    ['.', 'unable to parse numeric part of quantity'],
    ['lots', QUANTITY_FORMAT_ERROR],
    ['', QUANTITY_FORMAT_ERROR],
    [' 1Mi', QUANTITY_FORMAT_ERROR],
    ['1 Mi', QUANTITY_FORMAT_ERROR],
  ])('%j is refused: %s', (q, message) => expect(() => parseQuantity(q)).toThrow(message));

  it('names the pattern as Kubernetes does', () => {
    expect(QUANTITY_FORMAT_ERROR).toBe("quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
  });

  it.each([
    [0, '0'],
    [4726348, '4726348n'],
    [5_000_000, '5m'],
    [250_000_000, '250m'],
    [1_000_000_000, '1'],
    [2_000_000_000, '2'],
    [1_500_000_000, '1500m'],
    [7000, '7u'],
  ])('CPU %d nanocores prints as %s', (n, q) => expect(cpuQuantity(n)).toBe(q));

  it.each([
    [0, '0'],
    [21364 * 1024, '21364Ki'],
    [20 * 2 ** 20, '20Mi'],
    [2 ** 30, '1Gi'],
    [123457, '123457'],
  ])('memory %d bytes prints as %s', (n, q) => expect(memoryQuantity(n)).toBe(q));

});
