import { InputError } from '@backstage/errors';

export interface ParsedLogsQuery {
  cluster?: string;
  pod?: string;
  container?: string;
  follow: boolean;
  previous: boolean;
  timestamps: boolean;
  download: boolean;
  tailLines?: number;
  sinceSeconds?: number;
  sinceTime?: string;
}

const NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

function str(q: Record<string, unknown>, key: string): string | undefined {
  const v = q[key];
  if (v === undefined || v === '') return undefined;
  if (typeof v !== 'string') throw new InputError(`${key} must be given once`);
  return v;
}

function bool(q: Record<string, unknown>, key: string): boolean {
  const v = str(q, key);
  if (v === undefined) return false;
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw new InputError(`${key} must be true or false, not "${v}"`);
}

function int(q: Record<string, unknown>, key: string, min: number): number | undefined {
  const v = str(q, key);
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) < min) throw new InputError(`${key} must be a whole number of at least ${min}, not "${v}"`);
  return Number(v);
}

/** Validates the logs route's query; each error names the parameter. */
export function readLogsQuery(q: Record<string, unknown>): ParsedLogsQuery {
  const pod = str(q, 'pod');
  const container = str(q, 'container');
  for (const [key, v] of [['pod', pod], ['container', container]] as const) {
    if (v && !NAME.test(v)) throw new InputError(`${key} "${v}" is not a valid Kubernetes name`);
  }
  const sinceTime = str(q, 'sinceTime');
  if (sinceTime && Number.isNaN(Date.parse(sinceTime))) throw new InputError(`sinceTime "${sinceTime}" is not an RFC3339 time`);
  const sinceSeconds = int(q, 'sinceSeconds', 1);
  if (sinceTime && sinceSeconds) throw new InputError('give sinceTime or sinceSeconds, not both');
  const parsed: ParsedLogsQuery = {
    cluster: str(q, 'cluster'),
    pod,
    container,
    follow: bool(q, 'follow'),
    previous: bool(q, 'previous'),
    timestamps: bool(q, 'timestamps'),
    download: bool(q, 'download'),
    tailLines: int(q, 'tailLines', 0),
    sinceSeconds,
    sinceTime,
  };
  if (parsed.previous && parsed.follow) throw new InputError('previous and follow cannot be combined: a previous container has ended');
  return parsed;
}
