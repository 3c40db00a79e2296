import fs from 'node:fs';
import { resolvePackagePath } from '@backstage/backend-plugin-api';

/**
 * Says which shell runs before it does (`ESC ] 633 ; P ; Shell=<name> BEL`, a terminal property
 * sequence terminals ignore when they do not know it), so the status can name it.
 */
export const announceShell = (name: string) => `printf '\\033]633;P;Shell=%s\\007' ${name}`;

/** Runs bash when the image has it, else sh: one exec, decided inside the container. */
export const SHELL_PICKER = `if command -v bash >/dev/null 2>&1; then ${announceShell('bash')}; exec bash; fi; ${announceShell('sh')}; exec sh`;

/** The shell a session's first output announces (see {@link announceShell}). */
export function announcedShell(firstOutput: Uint8Array): string | undefined {
  // The sequence is made of control characters: that is what is matched.
  // eslint-disable-next-line no-control-regex
  const m = /^\x1b\]633;P;Shell=([A-Za-z0-9._-]{1,32})\x07/.exec(Buffer.from(firstOutput.subarray(0, 64)).toString('latin1'));
  return m?.[1];
}

export const NO_SHELL_MESSAGE =
  'This container has no shell (neither sh nor bash): it is probably distroless. Use the Debug tab to attach a tool container to it.';

export interface ProductionShell {
  /** The normal user the wrapper creates and runs the shell as. */
  user: string;
  /** Paths made writable for that user (everything else stays as the image has it). */
  writablePaths: string[];
}

/** A command to try in the container, and what to tell the user it is. */
export interface ShellAttempt {
  command: string[];
  label: string;
  /** The label once the shell said which it is. */
  named?: (shell: string) => string;
}

let wrapperText: string | undefined;

/** The production wrapper, one POSIX sh file shipped with the package (assets/normal-user.sh). */
export function normalUserWrapper(): string {
  wrapperText ??= fs.readFileSync(resolvePackagePath('@kube-troubleshoot/backstage-plugin-backend', 'assets/normal-user.sh'), 'utf8');
  return wrapperText;
}

/**
 * The commands a terminal session tries, in order: the next one runs only when the container lacks
 * the previous one's executable. Production clusters always go through the normal-user wrapper.
 */
export function shellAttempts(production: ProductionShell | undefined, wrapper: string = normalUserWrapper()): ShellAttempt[] {
  if (production) {
    return [
      {
        command: ['sh', '-c', wrapper, 'normal-user', production.user, ...production.writablePaths],
        label: `shell as ${production.user} (production)`,
        named: shell => `${shell} as ${production.user} (production)`,
      },
    ];
  }
  return [
    { command: ['sh', '-c', SHELL_PICKER], label: 'bash or sh', named: shell => shell },
    { command: ['bash'], label: 'bash' },
  ];
}

/** Whether an exec failed because the container has no such executable (containerd's and CRI-O's texts). */
export function isMissingExecutable(message: string | undefined): boolean {
  return !!message && /executable file not found|no such file or directory/i.test(message);
}

/** A Linux user name the wrapper can create safely (also what useradd accepts). */
export function isValidUserName(name: string): boolean {
  return /^[a-z_][a-z0-9_-]{0,31}$/.test(name);
}
