import { InputError } from '@backstage/errors';
import { z } from 'zod/v4';

/**
 * The schemas of the plugin's HTTP input, checked once at the edge: a name of a Kubernetes object
 * reaches a cluster only if it is a valid name of its kind, and an unknown field, a wrong type or a
 * number out of range is a 400 that names the field.
 */

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** A pod name: a DNS-1123 subdomain (Kubernetes' ValidatePodName). */
export const podName = z
  .string()
  .max(253, { error: 'must be a pod name of at most 253 characters' })
  .regex(DNS1123_SUBDOMAIN, { error: 'must be a pod name: lower-case letters, digits, "-" and ".", starting and ending with a letter or digit' });

/** A container name: a DNS-1123 label. */
export const containerName = z
  .string()
  .max(63, { error: 'must be a container name of at most 63 characters' })
  .regex(DNS1123_LABEL, { error: 'must be a container name: lower-case letters, digits and "-", starting and ending with a letter or digit' });

/** A namespace name: a DNS-1123 label. */
export const namespaceName = z
  .string()
  .max(63, { error: 'must be a namespace name of at most 63 characters' })
  .regex(DNS1123_LABEL, { error: 'must be a namespace name: lower-case letters, digits and "-", starting and ending with a letter or digit' });

/** One of the configured cluster names. */
export function clusterName(configured: () => string[]) {
  return z.string().refine(name => configured().includes(name), {
    error: () => `must be one of the configured clusters: ${configured().join(', ') || '(none is configured)'}`,
  });
}

/** A body naming one container of one pod (CreateSessionRequest: terminals and pod copies). */
export function containerRequest(clusters: () => string[]) {
  return z.strictObject({
    cluster: clusterName(clusters),
    pod: podName,
    container: containerName,
    namespace: namespaceName.optional(),
  });
}

/** The `:kind/:namespace/:name` of an entity route (catalog names: letters, digits, `-_.`). */
const entityPart = z
  .string()
  .max(253, { error: 'is too long for a catalog name' })
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, { error: 'must be a catalog name: letters, digits, "-", "_" and "."' });
export const entityParams = z.object({ kind: entityPart, namespace: entityPart, name: entityPart });

/** A query parameter given once (`?a=1&a=2` and `?a[b]=1` are refused). */
export const queryString = z.string({ error: issue => (issue.input === undefined ? 'is required' : 'must be given once, as text') });

/** A query boolean: `true`/`1` or `false`/`0`. */
export const queryBoolean = queryString
  .refine(v => ['true', 'false', '1', '0'].includes(v), { error: 'must be true or false' })
  .transform(v => v === 'true' || v === '1');

/** A whole number in a query, from `min` to `max`. */
export function queryInteger(min: number, max: number) {
  return queryString
    .refine(v => /^\d+$/.test(v) && Number(v) >= min && Number(v) <= max, { error: `must be a whole number from ${min} to ${max}` })
    .transform(Number);
}

/** An RFC 3339 time, e.g. `2024-05-01T12:00:00Z`. */
export const rfc3339 = queryString.refine(v => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/i.test(v) && !Number.isNaN(Date.parse(v)), {
  error: 'must be an RFC 3339 time, e.g. 2024-05-01T12:00:00Z',
});

export type InputPlace = 'body' | 'query' | 'path';

const placeLabel: Record<InputPlace, string> = { body: 'body field', query: 'query parameter', path: 'path segment' };

function typeName(input: unknown): string {
  if (input === null) return 'null';
  if (Array.isArray(input)) return 'an array';
  return `a ${typeof input}`;
}

function describe(issue: z.core.$ZodIssue, place: InputPlace, allowed: string[]): string {
  const field = issue.path.map(String).join('.');
  const subject = field ? `${placeLabel[place]} ${field}` : `the ${place}`;
  switch (issue.code) {
    case 'unrecognized_keys': {
      const keys = issue.keys.map(k => `"${k}"`).join(', ');
      const known = allowed.length ? `; allowed: ${allowed.join(', ')}` : `; it takes none`;
      return `unknown ${placeLabel[place]}${issue.keys.length > 1 ? 's' : ''} ${keys}${known}`;
    }
    case 'invalid_type':
      if (issue.input === undefined) return `${subject} is required`;
      if (!field && place === 'body') return `the body must be a JSON object, not ${typeName(issue.input)}`;
      if (place === 'query') return `${subject} must be given once, as text`;
      return `${subject} must be ${issue.expected === 'object' ? 'an object' : `a ${issue.expected}`}, not ${typeName(issue.input)}`;
    case 'invalid_value':
      return `${subject} must be one of ${issue.values.map(v => String(v)).join(', ')}`;
    default:
      return `${subject} ${issue.message}`;
  }
}

/** Parses input with a schema; a failure is an InputError naming each bad field once. */
export function parseInput<T>(schema: z.ZodType<T>, input: unknown, place: InputPlace): T {
  const result = schema.safeParse(input, { reportInput: true });
  if (result.success) return result.data;
  const allowed = schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
  const seen = new Set<string>();
  const messages: string[] = [];
  for (const issue of result.error.issues) {
    const key = issue.code === 'unrecognized_keys' ? '#unknown' : issue.path.join('.');
    if (seen.has(key)) continue;
    seen.add(key);
    messages.push(describe(issue, place, allowed));
  }
  throw new InputError(messages.join('; '));
}

/** A query or body without any field (the route takes none). */
export const noFields = z.strictObject({});
