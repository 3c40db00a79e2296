/**
 * Nanosecond wall-clock timestamps. Kubelet log lines carry RFC3339 with exactly nine fractional
 * digits; Date only has milliseconds, so the fraction is extended with the monotonic clock.
 */
const originNs = BigInt(Date.now()) * 1_000_000n;
const originHr = process.hrtime.bigint();
let last = 0n;

/** Strictly increasing, so two lines written in one millisecond keep their order. */
export function nowNs(): bigint {
  let t = originNs + (process.hrtime.bigint() - originHr);
  if (t <= last) t = last + 1n;
  last = t;
  return t;
}

/** RFC3339NanoFixed: `2006-01-02T15:04:05.000000000Z`. */
export function formatNs(ns: bigint): string {
  const ms = Number(ns / 1_000_000n);
  const base = new Date(ms).toISOString().slice(0, 19);
  const frac = (ns % 1_000_000_000n).toString().padStart(9, '0');
  return `${base}.${frac}Z`;
}

/** Parses RFC3339 with any fraction (or none) and an offset or Z into nanoseconds. */
export function parseRfc3339Ns(value: string): bigint | undefined {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/.exec(value);
  if (!m) return undefined;
  const seconds = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(seconds)) return undefined;
  return BigInt(seconds) * 1_000_000n + BigInt((m[2] ?? '').padEnd(9, '0'));
}

/** Kubernetes' metav1.Time: seconds precision, UTC. */
export function kubeTime(date = new Date()): string {
  return date.toISOString().replace(/\.\d+Z$/, 'Z');
}
