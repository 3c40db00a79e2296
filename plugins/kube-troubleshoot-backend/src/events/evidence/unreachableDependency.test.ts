import { findUnreachableDependency, serviceOfHost } from './unreachableDependency';

describe('the dependency a crashed container could not reach', () => {
  it.each([
    ['ERROR: connection refused: opensearch:9200', { host: 'opensearch', port: 9200, problem: 'refused' }],
    ['dial tcp 10.0.0.5:5432: connect: connection refused', { host: '10.0.0.5', port: 5432, problem: 'refused' }],
    ['failed: dial tcp db.shop.svc.cluster.local:5432: i/o timeout', { host: 'db.shop.svc.cluster.local', port: 5432, problem: 'timeout' }],
    ['dial tcp: lookup postgres on 10.96.0.10:53: no such host', { host: 'postgres', problem: 'unresolved' }],
    ['Error: connect ECONNREFUSED 127.0.0.1:6379', { host: '127.0.0.1', port: 6379, problem: 'refused' }],
    ['Error: getaddrinfo ENOTFOUND redis', { host: 'redis', problem: 'unresolved' }],
    ['curl: (7) Failed to connect to opensearch port 9200 after 2 ms: Could not connect to server', { host: 'opensearch', port: 9200, problem: 'refused' }],
    ['curl: (6) Could not resolve host: opensearch', { host: 'opensearch', problem: 'unresolved' }],
    ["requests.exceptions.ConnectionError: HTTPConnectionPool(host='api', port=8080): Max retries exceeded ([Errno 111] Connection refused)", { host: 'api', port: 8080, problem: 'refused' }],
    ["HTTPConnectionPool(host='api', port=8080): Max retries exceeded (Name or service not known)", { host: 'api', port: 8080, problem: 'unresolved' }],
    ['\tIs the server running on host "db" (10.0.0.3) and accepting TCP/IP connections on port 5432?', { host: 'db', port: 5432, problem: 'refused' }],
    ['java.net.UnknownHostException: kafka', { host: 'kafka', problem: 'unresolved' }],
    ['could not connect to redis:6379: Connection refused', { host: 'redis', port: 6379, problem: 'refused' }],
  ])('%s', (line, want) => expect(findUnreachableDependency(['starting', line])).toEqual({ ...want, line }));

  it('takes the last error, and none from lines without one', () => {
    expect(findUnreachableDependency(['connection refused: a:1', 'connection refused: b:2'])?.host).toBe('b');
    expect(findUnreachableDependency(['starting', 'ERROR: out of disk'])).toBeUndefined();
    expect(findUnreachableDependency([])).toBeUndefined();
  });

  it.each([
    ['opensearch', 'default', { service: 'opensearch', namespace: 'default' }],
    ['db.shop', 'default', { service: 'db', namespace: 'shop' }],
    ['db.shop.svc.cluster.local', 'default', { service: 'db', namespace: 'shop' }],
    ['db.example.com', 'default', undefined],
    ['10.0.0.5', 'default', undefined],
    ['localhost', 'default', undefined],
  ])('%s from %s is the Service %j', (host, ns, want) => expect(serviceOfHost(host, ns)).toEqual(want));
});
