/**
 * Kubernetes `Status` bodies, with the field order and texts of apimachinery's errors.go, so that
 * kubectl and client libraries print exactly what they print against a real apiserver.
 */
export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  details?: {
    name?: string;
    group?: string;
    kind?: string;
    causes?: Array<{ reason?: string; message?: string; field?: string }>;
  };
  code: number;
}

/** An error that carries the Status to answer with. */
export class StatusError extends Error {
  constructor(readonly status: Status) {
    super(status.message);
  }
  get code() {
    return this.status.code;
  }
}

function failure(code: number, reason: string, message: string, extra?: Status['details']): StatusError {
  // Field order as the apiserver writes it: details before code.
  return new StatusError({
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    ...(extra ? { details: extra } : {}),
    code,
  });
}

function details(resource: string, name?: string, group?: string): Status['details'] {
  const d: NonNullable<Status['details']> = {};
  if (name) d.name = name;
  if (group) d.group = group;
  d.kind = resource;
  return d;
}

const qualified = (resource: string, group?: string) => (group ? `${resource}.${group}` : resource);

export const notFound = (resource: string, name: string, group?: string) =>
  failure(404, 'NotFound', `${qualified(resource, group)} "${name}" not found`, details(resource, name, group));

export const alreadyExists = (resource: string, name: string, group?: string) =>
  failure(409, 'AlreadyExists', `${qualified(resource, group)} "${name}" already exists`, details(resource, name, group));

export const badRequest = (message: string) => failure(400, 'BadRequest', message);

export const unauthorized = () => failure(401, 'Unauthorized', 'Unauthorized');

export const methodNotAllowed = () =>
  failure(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');

export const pathNotFound = () => failure(404, 'NotFound', 'the server could not find the requested resource');

export const expired = (message: string) => failure(410, 'Expired', message);

export const internalError = (message: string) =>
  failure(500, 'InternalError', `Internal error occurred: ${message}`, { causes: [{ message }] });

export const invalid = (kind: string, name: string, causes: Array<{ field: string; message: string; type?: string }>, group?: string) =>
  failure(
    422,
    'Invalid',
    // As apimachinery's NewInvalid: one error as is, several in brackets.
    `${qualified(kind, group)} "${name}" is invalid: ${causes.length === 1 ? `${causes[0].field}: ${causes[0].message}` : `[${causes.map(c => `${c.field}: ${c.message}`).join(', ')}]`}`,
    {
      name,
      ...(group ? { group } : {}),
      kind,
      causes: causes.map(c => ({ reason: c.type ?? 'FieldValueInvalid', message: c.message, field: c.field })),
    },
  );

export interface ForbiddenInput {
  user: string;
  verb: string;
  resource: string;
  subresource?: string;
  group: string;
  namespace?: string;
  name?: string;
}

/** `pods "web-1" is forbidden: User "jane" cannot get resource "pods/log" in API group "" in the namespace "default"` */
export function forbidden(input: ForbiddenInput): StatusError {
  const full = input.subresource ? `${input.resource}/${input.subresource}` : input.resource;
  const subject = input.name
    ? `${qualified(input.resource, input.group || undefined)} "${input.name}"`
    : qualified(input.resource, input.group || undefined);
  const scope = input.namespace ? `in the namespace "${input.namespace}"` : 'at the cluster scope';
  const message = `${subject} is forbidden: User "${input.user}" cannot ${input.verb} resource "${full}" in API group "${input.group}" ${scope}`;
  return failure(403, 'Forbidden', message, details(input.resource, input.name, input.group || undefined));
}
