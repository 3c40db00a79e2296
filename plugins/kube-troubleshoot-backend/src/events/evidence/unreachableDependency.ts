/**
 * What a crashed container's last log lines say about a dependency it could not reach: the host,
 * the port when the text has one, and how it failed. Recognises the phrasings of common runtimes
 * (Go's net package, Node.js, the JVM, Python, libpq, curl) and plain "connection refused: host:port".
 */
export interface UnreachableDependency {
  host: string;
  port?: number;
  problem: 'refused' | 'unresolved' | 'timeout';
  /** The log line it was read from. */
  line: string;
}

type Matcher = { re: RegExp; problem: UnreachableDependency['problem']; host: number; port?: number };

const HOST = '([A-Za-z0-9_.-]+|\\[[0-9a-fA-F:]+\\])';
const PORT = '(\\d{1,5})';

// Most specific first: a line that names host and port beats one that names only the host.
const MATCHERS: Matcher[] = [
  // Go: dial tcp 10.0.0.5:5432: connect: connection refused / i/o timeout
  { re: new RegExp(`dial tcp ${HOST}:${PORT}: (?:connect: )?connection refused`, 'i'), problem: 'refused', host: 1, port: 2 },
  { re: new RegExp(`dial tcp ${HOST}:${PORT}: (?:connect: )?(?:i/o timeout|connection timed out)`, 'i'), problem: 'timeout', host: 1, port: 2 },
  // Go: dial tcp: lookup postgres on 10.96.0.10:53: no such host
  { re: new RegExp(`lookup ${HOST}(?: on [^:]+:\\d+)?: (?:no such host|server misbehaving)`, 'i'), problem: 'unresolved', host: 1 },
  // Node.js: connect ECONNREFUSED 127.0.0.1:5432 / connect ETIMEDOUT 10.0.0.1:443 / getaddrinfo ENOTFOUND redis
  { re: new RegExp(`ECONNREFUSED ${HOST}:${PORT}`), problem: 'refused', host: 1, port: 2 },
  { re: new RegExp(`ETIMEDOUT ${HOST}:${PORT}`), problem: 'timeout', host: 1, port: 2 },
  { re: new RegExp(`getaddrinfo (?:ENOTFOUND|EAI_AGAIN) ${HOST}`), problem: 'unresolved', host: 1 },
  // curl: (7) Failed to connect to opensearch port 9200 ... / curl: (6) Could not resolve host: opensearch
  { re: new RegExp(`Failed to connect to ${HOST} port ${PORT}`, 'i'), problem: 'refused', host: 1, port: 2 },
  { re: new RegExp(`Could not resolve host:? ${HOST}`, 'i'), problem: 'unresolved', host: 1 },
  // Python requests/urllib3: HTTPConnectionPool(host='api', port=8080): ... Connection refused / Name or service not known
  { re: new RegExp(`host='${HOST}', port=${PORT}\\).*(?:Connection refused|Errno 111)`, 'i'), problem: 'refused', host: 1, port: 2 },
  { re: new RegExp(`host='${HOST}', port=${PORT}\\).*(?:Name or service not known|Temporary failure in name resolution|nodename nor servname)`, 'i'), problem: 'unresolved', host: 1, port: 2 },
  { re: new RegExp(`host='${HOST}', port=${PORT}\\).*(?:timed out|timeout)`, 'i'), problem: 'timeout', host: 1, port: 2 },
  // libpq: Is the server running on host "db" (10.0.0.3) and accepting TCP/IP connections on port 5432?
  { re: new RegExp(`on host "${HOST}".*?port ${PORT}`, 'i'), problem: 'refused', host: 1, port: 2 },
  // JVM: java.net.UnknownHostException: kafka
  { re: new RegExp(`UnknownHostException: ${HOST}`), problem: 'unresolved', host: 1 },
  // "connection refused: opensearch:9200", "could not connect to redis:6379: connection refused"
  { re: new RegExp(`connection refused:? \\(?${HOST}:${PORT}`, 'i'), problem: 'refused', host: 1, port: 2 },
  { re: new RegExp(`(?:connect|connecting) to ${HOST}:${PORT}\\b.*connection refused`, 'i'), problem: 'refused', host: 1, port: 2 },
  { re: new RegExp(`(?:timed out|timeout) (?:connecting to|dialing) ${HOST}:${PORT}`, 'i'), problem: 'timeout', host: 1, port: 2 },
];

/** The last unreachable dependency the lines name (the latest error is the one the container died on). */
export function findUnreachableDependency(lines: string[]): UnreachableDependency | undefined {
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i];
    for (const m of MATCHERS) {
      const found = m.re.exec(line);
      if (!found) continue;
      const host = found[m.host].replace(/^\[|\]$/g, '').replace(/\.$/, '');
      const port = m.port ? Number(found[m.port]) : undefined;
      return { host, ...(port && port <= 65535 ? { port } : {}), problem: m.problem, line };
    }
  }
  return undefined;
}

/** How a host name would reach a Service: `name`, `name.ns`, `name.ns.svc[.cluster.local]`. */
export function serviceOfHost(host: string, podNamespace: string): { service: string; namespace: string } | undefined {
  if (/^\d+\.\d+\.\d+\.\d+$/.test(host) || host.includes(':') || host === 'localhost') return undefined;
  const labels = host.toLowerCase().split('.');
  if (labels.length === 1) return { service: labels[0], namespace: podNamespace };
  if (labels.length === 2 || labels[2] === 'svc') return { service: labels[0], namespace: labels[1] };
  return undefined; // an outside name (db.example.com): not a Service
}
