/**
 * Kubernetes resource quantities (`64Mi`, `500m`, `1.5`, `129e6`) as numbers in their base unit,
 * parsed as `resource.ParseQuantity` accepts them, and printed for people.
 */

const SUFFIXES: Record<string, number> = {
  n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

/** Bytes or cores; throws on what Kubernetes would not accept. A JSON number is taken as it is. */
export function parseQuantity(q: string | number): number {
  if (typeof q === 'number') return q;
  const m = /^([+-]?(?:\d+\.?\d*|\.\d+))([eE][+-]?\d+|[a-zA-Z]*)$/.exec(q);
  if (!m) throw new Error(`not a Kubernetes quantity: ${JSON.stringify(q)}`);
  const [, number, suffix] = m;
  const scale = /^[eE]/.test(suffix) ? 10 ** Number(suffix.slice(1)) : SUFFIXES[suffix];
  if (scale === undefined) throw new Error(`not a Kubernetes quantity: ${JSON.stringify(q)} (unknown suffix ${suffix})`);
  return Number(number) * scale;
}

/** `64 MiB`, `61.3 MiB`, `812 KiB`, `1.5 GiB`: binary units, one decimal below 100. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes;
  let i = 0;
  while (Math.abs(v) >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  const text = i === 0 || Math.abs(v) >= 100 || Number.isInteger(v) ? String(Math.round(v)) : v.toFixed(1).replace(/\.0$/, '');
  return `${text} ${units[i]}`;
}

/** `250m`, `1.2 cores`, `3 cores`: millicores below one core, as kubectl top prints them. */
export function formatCores(cores: number): string {
  if (cores < 1) return `${Math.round(cores * 1000)}m`;
  return `${Number(cores.toFixed(2))} core${cores === 1 ? '' : 's'}`;
}
