import { badRequest } from './status';

/** A parsed label selector: every requirement must hold. */
export type LabelRequirement =
  | { key: string; op: 'in' | 'notin'; values: string[] }
  | { key: string; op: 'exists' | '!' };

/** Splits on commas that are not inside a `( ... )` value set. */
function splitTopLevel(input: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of input) {
    if (ch === '(') depth += 1;
    if (ch === ')') depth -= 1;
    if (ch === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  parts.push(current);
  return parts.map(p => p.trim()).filter(p => p.length > 0);
}

const KEY = /^([a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?\/)?[a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?$/;

/** Parses `a=b,c!=d,e in (f,g),!h,i` as apimachinery's labels.Parse does. */
export function parseLabelSelector(selector: string | undefined): LabelRequirement[] {
  if (!selector) return [];
  return splitTopLevel(selector).map(part => {
    let m = /^(\S+?)\s*(==|=|!=)\s*(\S*)$/.exec(part);
    if (m) {
      const [, key, op, value] = m;
      checkKey(key, selector);
      return { key, op: op === '!=' ? 'notin' : 'in', values: [value] };
    }
    m = /^(\S+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(part);
    if (m) {
      const [, key, op, values] = m;
      checkKey(key, selector);
      return { key, op: op as 'in' | 'notin', values: values.split(',').map(v => v.trim()).filter(Boolean) };
    }
    if (part.startsWith('!')) {
      const key = part.slice(1).trim();
      checkKey(key, selector);
      return { key, op: '!' };
    }
    checkKey(part, selector);
    return { key: part, op: 'exists' };
  });
}

function checkKey(key: string, selector: string) {
  if (!KEY.test(key)) {
    throw badRequest(`unable to parse requirement: found '${key}', expected: identifier in selector "${selector}"`);
  }
}

export function matchesLabels(requirements: LabelRequirement[], labels: Record<string, string> | undefined): boolean {
  const l = labels ?? {};
  return requirements.every(r => {
    const has = Object.prototype.hasOwnProperty.call(l, r.key);
    switch (r.op) {
      case 'exists':
        return has;
      case '!':
        return !has;
      case 'in':
        return has && r.values.includes(l[r.key]);
      case 'notin':
        return !has || !r.values.includes(l[r.key]);
      default:
        return false;
    }
  });
}

export interface FieldRequirement {
  field: string;
  value: string;
  negate: boolean;
}

/** Parses `a=b,c!=d`; every field must be one the resource supports, else the apiserver's 400. */
export function parseFieldSelector(selector: string | undefined, supported: readonly string[]): FieldRequirement[] {
  if (!selector) return [];
  return splitTopLevel(selector).map(part => {
    const m = /^([^=!]+?)\s*(==|=|!=)\s*(.*)$/.exec(part);
    if (!m) throw badRequest(`invalid selector: '${selector}'; can't understand '${part}'`);
    const [, field, op, value] = m;
    if (!supported.includes(field)) throw badRequest(`field label not supported: ${field}`);
    return { field, value, negate: op === '!=' };
  });
}

export function matchesFields(requirements: FieldRequirement[], fields: Record<string, string>): boolean {
  return requirements.every(r => (fields[r.field] === r.value) !== r.negate);
}

/** Same semantics as a Deployment's matchLabels / matchExpressions. */
export function labelSelectorFromSpec(spec: {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
}): LabelRequirement[] {
  const reqs: LabelRequirement[] = Object.entries(spec.matchLabels ?? {}).map(([key, value]) => ({
    key,
    op: 'in',
    values: [value],
  }));
  for (const e of spec.matchExpressions ?? []) {
    const op = { In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: '!' }[e.operator];
    if (!op) throw badRequest(`${e.operator} is not a valid label selector operator`);
    reqs.push(op === 'in' || op === 'notin' ? { key: e.key, op, values: e.values ?? [] } : { key: e.key, op: op as 'exists' | '!' });
  }
  return reqs;
}
