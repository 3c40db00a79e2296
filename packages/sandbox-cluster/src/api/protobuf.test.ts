import { decodeSelfSubjectAccessReview, isProtobuf } from './protobuf';

/** Encodes a length-delimited field (enough to build what kubectl sends). */
const field = (n: number, value: Buffer | string) => {
  const body = Buffer.isBuffer(value) ? value : Buffer.from(value);
  return Buffer.concat([Buffer.from([(n << 3) | 2, body.length]), body]);
};

describe('protobuf SelfSubjectAccessReview', () => {
  it('reads the resource attributes kubectl auth can-i sends', () => {
    const attrs = Buffer.concat([field(1, 'default'), field(2, 'get'), field(5, 'pods'), field(6, 'log')]);
    const review = Buffer.concat([field(1, Buffer.alloc(0)), field(2, field(1, attrs))]);
    const typeMeta = Buffer.concat([field(1, 'authorization.k8s.io/v1'), field(2, 'SelfSubjectAccessReview')]);
    const body = Buffer.concat([Buffer.from('k8s\0', 'binary'), field(1, typeMeta), field(2, review)]);
    expect(isProtobuf(body)).toBe(true);
    expect(decodeSelfSubjectAccessReview(body)).toEqual({
      spec: { resourceAttributes: { namespace: 'default', verb: 'get', resource: 'pods', subresource: 'log' } },
    });
  });
  it('tells JSON apart', () => {
    expect(isProtobuf(Buffer.from('{"kind":"x"}'))).toBe(false);
  });
});
