import { ConfigReader } from '@backstage/config';
import { readSessionConfig } from './sessionConfig';

const read = (kubeTroubleshoot: object) => readSessionConfig(new ConfigReader({ kubeTroubleshoot }));

describe('session configuration', () => {
  it('has defaults', () => {
    expect(read({})).toEqual({
      ticketTtlSeconds: 30,
      maxPerUser: 5,
      maxPerReplica: 200,
      limits: { idleTimeoutMs: 900_000, maxDurationMs: 14_400_000, warnBeforeMs: 60_000, heartbeatMs: 25_000, bufferBytes: 1_048_576, reattachGraceMs: 60_000, scrollbackBytes: 131_072 },
      production: { user: 'troubleshoot', writablePaths: ['/tmp/troubleshoot'] },
      recordings: { enabled: true, input: true, retentionDays: 90 },
    });
  });
  it.each([
    [{ sessions: { ticketTtlSeconds: 60 } }, 'kubeTroubleshoot.sessions.ticketTtlSeconds must be at most 30, got 60'],
    [{ sessions: { ticketTtlSeconds: 0 } }, 'kubeTroubleshoot.sessions.ticketTtlSeconds must be between 1 and 30'],
    [{ sessions: { idleTimeoutSeconds: -1 } }, 'kubeTroubleshoot.sessions.idleTimeoutSeconds must be a number >= 0, got -1'],
    [{ productionShell: { user: 'Root Admin' } }, 'kubeTroubleshoot.productionShell.user "Root Admin" is not a valid Linux user name'],
    [{ productionShell: { writablePaths: ['data'] } }, 'kubeTroubleshoot.productionShell.writablePaths: "data" must be a normalised absolute path below /'],
    [{ productionShell: { writablePaths: ['/data/../etc'] } }, 'must be a normalised absolute path below /'],
    [{ productionShell: { writablePaths: ['/data', '/data/x'] } }, '"/data/x" is inside "/data": list only one of them'],
    [{ productionShell: { user: 'root' } }, 'kubeTroubleshoot.productionShell.user may not be root'],
    [{ sessions: { idleTimeoutSeconds: 3_000_000 } }, 'kubeTroubleshoot.sessions.idleTimeoutSeconds must be at most 2147483, got 3000000'],
    [{ recordings: { retentionDays: -5 } }, 'kubeTroubleshoot.recordings.retentionDays must be a number >= 0, got -5'],
  ])('refuses %j', (config, message) => {
    expect(() => read(config)).toThrow(message);
  });
});
