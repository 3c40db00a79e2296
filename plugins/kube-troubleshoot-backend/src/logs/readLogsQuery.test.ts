import { readLogsQuery } from './readLogsQuery';

describe('readLogsQuery', () => {
  it('reads every parameter', () => {
    expect(readLogsQuery({ cluster: 'c', pod: 'p-1', container: 'main', follow: 'true', tailLines: '100', timestamps: '1', download: 'false' })).toEqual({
      cluster: 'c', pod: 'p-1', container: 'main', follow: true, previous: false, timestamps: true, download: false, tailLines: 100, sinceSeconds: undefined, sinceTime: undefined,
    });
  });
  it.each([
    [{ tailLines: 'x' }, 'tailLines must be a whole number of at least 0, not "x"'],
    [{ sinceSeconds: '0' }, 'sinceSeconds must be a whole number of at least 1, not "0"'],
    [{ follow: 'yes' }, 'follow must be true or false, not "yes"'],
    [{ pod: 'Bad_Name' }, 'pod "Bad_Name" is not a valid Kubernetes name'],
    [{ sinceTime: 'yesterday' }, 'sinceTime "yesterday" is not an RFC3339 time'],
    [{ sinceTime: '2026-01-01T00:00:00Z', sinceSeconds: '5' }, 'give sinceTime or sinceSeconds, not both'],
    [{ previous: 'true', follow: 'true' }, 'previous and follow cannot be combined'],
    [{ pod: ['a', 'b'] }, 'pod must be given once'],
  ])('rejects %j naming the parameter', (q, message) => {
    expect(() => readLogsQuery(q)).toThrow(message);
  });
});
