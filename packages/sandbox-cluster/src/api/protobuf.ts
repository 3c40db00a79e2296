/**
 * Just enough of Kubernetes' protobuf encoding to read what kubectl sends as protobuf for built-in
 * types (e.g. `kubectl auth can-i` posts a SelfSubjectAccessReview as `application/vnd.kubernetes.protobuf`).
 * Envelope: the magic `k8s\0`, then runtime.Unknown { typeMeta = 1, raw = 2 }.
 */
const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

type Fields = Map<number, Array<Buffer | number>>;

function readVarint(buf: Buffer, start: number): [number, number] {
  let result = 0;
  let shift = 0;
  let pos = start;
  for (;;) {
    if (pos >= buf.length) throw new Error('truncated varint');
    const b = buf[pos++];
    result += (b & 0x7f) * 2 ** shift;
    if (!(b & 0x80)) return [result, pos];
    shift += 7;
  }
}

/** Top-level fields of one message: length-delimited ones as Buffers, varints as numbers. */
export function decodeFields(buf: Buffer): Fields {
  const fields: Fields = new Map();
  let pos = 0;
  while (pos < buf.length) {
    const [tag, p1] = readVarint(buf, pos);
    const field = Math.floor(tag / 8);
    const wire = tag & 7;
    let value: Buffer | number;
    if (wire === 0) {
      [value, pos] = readVarint(buf, p1);
    } else if (wire === 2) {
      const [len, p2] = readVarint(buf, p1);
      value = buf.subarray(p2, p2 + len);
      pos = p2 + len;
    } else if (wire === 1) {
      value = buf.subarray(p1, p1 + 8);
      pos = p1 + 8;
    } else if (wire === 5) {
      value = buf.subarray(p1, p1 + 4);
      pos = p1 + 4;
    } else {
      throw new Error(`unsupported protobuf wire type ${wire}`);
    }
    const list = fields.get(field) ?? [];
    list.push(value);
    fields.set(field, list);
  }
  return fields;
}

const str = (fields: Fields, n: number) => {
  const v = fields.get(n)?.[0];
  return Buffer.isBuffer(v) ? v.toString('utf8') : undefined;
};
const msg = (fields: Fields, n: number) => {
  const v = fields.get(n)?.[0];
  return Buffer.isBuffer(v) ? decodeFields(v) : undefined;
};

export function isProtobuf(body: Buffer): boolean {
  return body.length >= 4 && body.subarray(0, 4).equals(MAGIC);
}

/** The SelfSubjectAccessReview spec (k8s.io/api/authorization/v1 generated.proto field numbers). */
export function decodeSelfSubjectAccessReview(body: Buffer) {
  const unknown = decodeFields(body.subarray(4));
  const raw = unknown.get(2)?.[0];
  if (!Buffer.isBuffer(raw)) throw new Error('protobuf envelope without an object');
  const review = decodeFields(raw);
  const spec = msg(review, 2);
  const ra = spec && msg(spec, 1);
  if (!ra) return { spec: {} };
  const resourceAttributes: Record<string, string> = {};
  const names = ['namespace', 'verb', 'group', 'version', 'resource', 'subresource', 'name'];
  names.forEach((name, i) => {
    const v = str(ra, i + 1);
    if (v !== undefined) resourceAttributes[name] = v;
  });
  return { spec: { resourceAttributes } };
}
