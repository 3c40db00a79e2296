import { sparklinePath } from './sparkline';

describe('sparklinePath', () => {
  it('draws values from the bottom (0) to the top (max), clamped', () => {
    expect(sparklinePath([0, 50, 100, 150], 30, 10, 100)).toBe('M0 10 L10 5 L20 0 L30 0');
  });
  it('draws one value as a flat dash, nothing without values or scale', () => {
    expect(sparklinePath([25], 40, 8, 100)).toBe('M0 6 L40 6');
    expect(sparklinePath([], 40, 8, 100)).toBe('');
    expect(sparklinePath([1], 40, 8, 0)).toBe('');
  });
});
