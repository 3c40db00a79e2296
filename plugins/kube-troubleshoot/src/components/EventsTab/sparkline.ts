/**
 * The SVG path of a small line chart: values left to right over `width`, 0 at the bottom and
 * `max` at the top (values above `max` are drawn at the top). One point draws a flat dash.
 */
export function sparklinePath(values: number[], width: number, height: number, max: number): string {
  if (!values.length || max <= 0) return '';
  const y = (v: number) => Number((height - (Math.min(v, max) / max) * height).toFixed(1));
  if (values.length === 1) return `M0 ${y(values[0])} L${width} ${y(values[0])}`;
  const step = width / (values.length - 1);
  return values.map((v, i) => `${i ? 'L' : 'M'}${Number((i * step).toFixed(1))} ${y(v)}`).join(' ');
}
