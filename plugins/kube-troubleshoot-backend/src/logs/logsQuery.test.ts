import { parseInput } from '../http/validation';
import { logsQuery } from './logsQuery';

const schema = logsQuery(() => ['c', 'other']);
const parse = (q: Record<string, unknown>) => parseInput(schema, q, 'query');

describe('logsQuery', () => {
  it('reads every parameter', () => {
    expect(parse({ cluster: 'c', pod: 'p-1', container: 'main', follow: 'true', tailLines: '100', timestamps: '1', download: 'false' })).toEqual({
      cluster: 'c', pod: 'p-1', container: 'main', follow: true, previous: false, timestamps: true, download: false, tailLines: 100,
    });
  });
  it.each([
    [{ tailLines: 'x' }, 'query parameter tailLines must be a whole number from 0 to 10000000'],
    [{ tailLines: '99999999999999999999999' }, 'query parameter tailLines must be a whole number from 0 to 10000000'],
    [{ tailLines: '-3' }, 'query parameter tailLines must be a whole number from 0 to 10000000'],
    [{ sinceSeconds: '0' }, 'query parameter sinceSeconds must be a whole number from 1 to 2147483647'],
    [{ follow: 'yes' }, 'query parameter follow must be true or false'],
    [{ pod: 'Bad_Name' }, 'query parameter pod must be a pod name'],
    [{ pod: 'web-1,metadata.name!=y' }, 'query parameter pod must be a pod name'],
    [{ pod: 'web-1\n' }, 'query parameter pod must be a pod name'],
    [{ pod: '=web-1' }, 'query parameter pod must be a pod name'],
    [{ container: 'a.b' }, 'query parameter container must be a container name'],
    [{ cluster: 'nowhere' }, 'query parameter cluster must be one of the configured clusters: c, other'],
    [{ sinceTime: 'yesterday' }, 'query parameter sinceTime must be an RFC 3339 time'],
    [{ sinceTime: '1' }, 'query parameter sinceTime must be an RFC 3339 time'],
    [{ sinceTime: '2026-01-01T00:00:00Z', sinceSeconds: '5' }, 'query parameter sinceSeconds cannot be combined with sinceTime'],
    [{ pod: 'p', previous: 'true', follow: 'true' }, 'query parameter follow cannot be combined with previous'],
    [{ previous: 'true' }, 'query parameter previous needs a pod'],
    [{ pod: ['a', 'b'] }, 'query parameter pod must be given once, as text'],
    [{ pod: { a: 'b' } }, 'query parameter pod must be given once, as text'],
    [{ command: 'sh' }, 'unknown query parameter "command"; allowed: cluster, namespace, pod'],
  ])('rejects %j naming the parameter', (q, message) => {
    expect(() => parse(q)).toThrow(message);
  });
});
