import { Config } from '@backstage/config';
import { isValidUserName, ProductionShell } from '../shell/shellCommand';
import { RelayLimits } from './TerminalRelay';

export interface SessionConfig {
  ticketTtlSeconds: number;
  maxPerUser: number;
  maxPerReplica: number;
  limits: RelayLimits;
  /** The normal user and writable paths of production clusters' shells. */
  production: ProductionShell;
  /** `input`: also record what the user types (passwords at no-echo prompts included). */
  recordings: { enabled: boolean; input: boolean; retentionDays: number };
}

/** setTimeout cannot wait longer than this (2^31 - 1 ms, about 24.8 days). */
const MAX_TIMER_SECONDS = 2_147_483;

function numberAt(config: Config | undefined, prefix: string, key: string, fallback: number, max?: number): number {
  const value = config?.getOptionalNumber(key);
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < 0) throw new Error(`kubeTroubleshoot.${prefix}.${key} must be a number >= 0, got ${value}`);
  if (max !== undefined && value > max) throw new Error(`kubeTroubleshoot.${prefix}.${key} must be at most ${max}, got ${value}`);
  return value;
}

/** `kubeTroubleshoot.sessions`, `.productionShell` and `.recordings`, with defaults; bad values fail at start. */
export function readSessionConfig(root: Config): SessionConfig {
  const kt = root.getOptionalConfig('kubeTroubleshoot');
  const sessions = kt?.getOptionalConfig('sessions');
  const read = (key: string, fallback: number, max?: number) => numberAt(sessions, 'sessions', key, fallback, max);
  const ticketTtlSeconds = read('ticketTtlSeconds', 30, 30);
  if (ticketTtlSeconds < 1) throw new Error('kubeTroubleshoot.sessions.ticketTtlSeconds must be between 1 and 30');
  const user = kt?.getOptionalString('productionShell.user') ?? 'troubleshoot';
  if (!isValidUserName(user)) throw new Error(`kubeTroubleshoot.productionShell.user "${user}" is not a valid Linux user name ([a-z_][a-z0-9_-]*, at most 32)`);
  if (user === 'root') throw new Error('kubeTroubleshoot.productionShell.user may not be root: the point is a normal user');
  const writablePaths = kt?.getOptionalStringArray('productionShell.writablePaths') ?? ['/tmp/troubleshoot'];
  for (const p of writablePaths) {
    if (!/^(\/[^/\0]+)+$/.test(p) || p.split('/').some(part => part === '.' || part === '..')) {
      throw new Error(`kubeTroubleshoot.productionShell.writablePaths: "${p}" must be a normalised absolute path below /`);
    }
  }
  // A nested pair would let a link planted in the outer one redirect the inner one's chown.
  for (const a of writablePaths) {
    const inner = writablePaths.find(b => b !== a && b.startsWith(`${a}/`));
    if (inner) throw new Error(`kubeTroubleshoot.productionShell.writablePaths: "${inner}" is inside "${a}": list only one of them`);
  }
  return {
    ticketTtlSeconds,
    maxPerUser: read('maxPerUser', 5),
    maxPerReplica: read('maxPerReplica', 200),
    limits: {
      idleTimeoutMs: read('idleTimeoutSeconds', 900, MAX_TIMER_SECONDS) * 1000,
      maxDurationMs: read('maxDurationSeconds', 4 * 3600, MAX_TIMER_SECONDS) * 1000,
      warnBeforeMs: read('warnBeforeSeconds', 60, MAX_TIMER_SECONDS) * 1000,
      heartbeatMs: read('heartbeatSeconds', 25, MAX_TIMER_SECONDS) * 1000,
      bufferBytes: Math.max(read('bufferBytes', 1024 * 1024), 64 * 1024),
      reattachGraceMs: read('reattachGraceSeconds', 60, MAX_TIMER_SECONDS) * 1000,
      scrollbackBytes: read('scrollbackBytes', 128 * 1024, 16 * 1024 * 1024),
    },
    production: { user, writablePaths },
    recordings: {
      enabled: kt?.getOptionalBoolean('recordings.enabled') ?? true,
      input: kt?.getOptionalBoolean('recordings.input') ?? true,
      retentionDays: numberAt(kt?.getOptionalConfig('recordings'), 'recordings', 'retentionDays', 90),
    },
  };
}
