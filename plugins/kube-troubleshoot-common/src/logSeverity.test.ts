import { detectSeverity, parseJsonLine, stripAnsi } from './logSeverity';

describe('log severity', () => {
  it.each([
    ['{"level":"info","msg":"payment settled"}', 'info'],
    ['{"severity":"ERROR","message":"boom"}', 'error'],
    ['{"lvl":"warning","msg":"slow"}', 'warn'],
    ['{"log":{"level":"debug"},"message":"ecs"}', 'debug'],
    ['{"@l":"Fatal","@m":"serilog"}', 'fatal'],
    ['{"level":50,"msg":"pino error"}', 'error'],
    ['{"level":30,"msg":"pino info"}', 'info'],
    ['{"msg":"no level"}', undefined],
    ['time=2026-12-02T05:21:21Z level=warn msg="disk 91%"', 'warn'],
    ['level="error" msg=x', 'error'],
    ['[ERROR] could not open file', 'error'],
    ['2026/12/02 05:21:21 [error] 12#0: *1 connect() failed', 'error'],
    ['\u001b[32mINFO\u001b[0m GET /v1/payments 200 3ms', 'info'],
    ['\u001b[33mWARN\u001b[0m slow upstream ledger: 300ms', 'warn'],
    ['ERROR: connection refused: opensearch:9200', 'error'],
    ['DEBUG request 3 done', 'debug'],
    ['WARNING:root:low disk', 'warn'],
    ['2026-12-02T05:21:21.123Z ERROR something', 'error'],
    ['2026-12-02 05:21:21.123  INFO 1 --- [main] o.s.b.StartupInfoLogger : Starting', 'info'],
    ['[2026-12-02 05:21:21] production.ERROR: Uncaught exception', 'error'],
    ['E1202 05:21:21.123456       1 controller.go:42] sync failed', 'error'],
    ['I1202 05:21:21.123456       1 main.go:10] started', 'info'],
    ['FATAL: password authentication failed', 'fatal'],
    ['CRITICAL disk full', 'fatal'],
    ['TRACE entering handler', 'trace'],
    ['Error handling is enabled', undefined],
    ['payments-api starting on :8080', undefined],
    ['loaded batch 3: 6 MiB of invoices held in memory', undefined],
    ['', undefined],
  ])('%j is %s', (line, level) => expect(detectSeverity(line)).toBe(level));

  it('strips ANSI sequences and parses only JSON objects', () => {
    expect(stripAnsi('\u001b[1;31mred\u001b[0m \u001b[2K')).toBe('red ');
    expect(parseJsonLine(' {"a":1} ')).toEqual({ a: 1 });
    expect(parseJsonLine('[1,2]')).toBeUndefined();
    expect(parseJsonLine('{not json}')).toBeUndefined();
  });
});
