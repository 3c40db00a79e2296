/**
 * Kubernetes resource quantities (`k8s.io/apimachinery/pkg/api/resource`): parsed as
 * `ParseQuantity` parses them, with its error texts, and printed canonically.
 */

const SPLIT = '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$';
const SPLIT_RE = new RegExp(SPLIT);

export const QUANTITY_FORMAT_ERROR = `quantities must match the regular expression '${SPLIT}'`;

const SUFFIXES: Record<string, number> = {
  n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

export class QuantityError extends Error {}

/**
 * The value of a quantity in its base unit (bytes, cores). Accepts what the apiserver's JSON decoder
 * accepts: a string, or a plain JSON number. Throws `QuantityError` with Kubernetes' message.
 */
export function parseQuantity(input: string | number): number {
  if (typeof input === 'number') {
    if (!Number.isFinite(input)) throw new QuantityError(QUANTITY_FORMAT_ERROR);
    return input;
  }
  const m = SPLIT_RE.exec(input.trim() === input ? input : '');
  if (!m) throw new QuantityError(QUANTITY_FORMAT_ERROR);
  const [, number, suffix] = m;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)$/.test(number)) throw new QuantityError('unable to parse numeric part of quantity');
  let scale = SUFFIXES[suffix];
  if (scale === undefined) {
    const exp = /^[eE]([+-]?\d+)$/.exec(suffix);
    if (!exp) throw new QuantityError("unable to parse quantity's suffix");
    scale = 10 ** Number(exp[1]);
  }
  return Number(number) * scale;
}

/**
 * A quantity as Kubernetes prints it canonically (`CanonicalizeBytes`): CPU in the largest decimal
 * suffix that keeps the number whole (`4726348n`, `5m`, `2`), memory in the largest binary one
 * (`21364Ki`, `20Mi`), plain bytes when not a multiple of 1024.
 */
export function cpuQuantity(nanoCores: number): string {
  const n = Math.round(nanoCores);
  if (n === 0) return '0';
  if (n % 1e9 === 0) return String(n / 1e9);
  if (n % 1e6 === 0) return `${n / 1e6}m`;
  if (n % 1e3 === 0) return `${n / 1e3}u`;
  return `${n}n`;
}

export function memoryQuantity(bytes: number): string {
  const n = Math.round(bytes);
  if (n === 0) return '0';
  for (const [suffix, size] of [['Ti', 2 ** 40], ['Gi', 2 ** 30], ['Mi', 2 ** 20], ['Ki', 2 ** 10]] as const) {
    if (n % size === 0) return `${n / size}${suffix}`;
  }
  return String(n);
}
