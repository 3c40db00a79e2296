import fs from 'node:fs';
import { resolvePackagePath } from '@backstage/backend-plugin-api';

/**
 * Says which shell runs before it does (`ESC ] 633 ; P ; Shell=<name> BEL`, a terminal property
 * sequence terminals ignore when they do not know it), so the status can name it.
 */
export const announceShell = (name: string) => `printf '\\033]633;P;Shell=%s\\007' ${name}`;

/**
 * Runs bash when the image has it, else sh: one exec, decided inside the container. With the shell
 * integration before it, the shell marks its commands (see {@link shellIntegration}).
 */
export const SHELL_PICKER = [
  `if command -v bash >/dev/null 2>&1; then ${announceShell('bash')}; kt_integrate bash; exec bash; fi`,
  announceShell('sh'),
  `kt_prompt='$ '; [ "$(id -u 2>/dev/null)" = 0 ] && kt_prompt='# '`,
  'kt_integrate sh "$kt_prompt"; unset kt_prompt; exec sh',
].join('; ');

/** Quotes a word for sh. */
const shQuote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

const assets = new Map<string, string>();
function asset(name: string): string {
  let text = assets.get(name);
  if (text === undefined) {
    text = fs.readFileSync(resolvePackagePath('@kube-troubleshoot/backstage-plugin-backend', `assets/${name}`), 'utf8');
    assets.set(name, text);
  }
  return text;
}

/**
 * The sh text put before the shell picker or the production wrapper so that the shell marks each
 * command with this session's nonce (assets/shell-integration.sh and bash-integration.bash); the
 * backend's command index reads the marks. Without a nonce it defines `kt_integrate` as a no-op.
 */
export function shellIntegration(nonce: string | undefined): string {
  if (nonce !== undefined && !/^[A-Za-z0-9_-]{8,64}$/.test(nonce)) throw new Error('a shell integration nonce is 8 to 64 letters, digits, _ or -');
  const vars = nonce ? `KT_NONCE=${nonce}\nKT_BASH_RC=${shQuote(asset('bash-integration.bash'))}\n` : '';
  return `${vars}${asset('shell-integration.sh')}`;
}

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

/** The production wrapper, one POSIX sh file shipped with the package (assets/normal-user.sh). */
export function normalUserWrapper(): string {
  return asset('normal-user.sh');
}

/**
 * The commands a terminal session tries, in order: the next one runs only when the container lacks
 * the previous one's executable. Production clusters always go through the normal-user wrapper.
 */
export function shellAttempts(production: ProductionShell | undefined, wrapper: string = normalUserWrapper(), nonce?: string): ShellAttempt[] {
  const integration = shellIntegration(nonce);
  if (production) {
    return [
      {
        command: ['sh', '-c', `${integration}\n${wrapper}`, 'normal-user', production.user, ...production.writablePaths],
        label: `shell as ${production.user} (production)`,
        named: shell => `${shell} as ${production.user} (production)`,
      },
    ];
  }
  return [
    { command: ['sh', '-c', `${integration}\n${SHELL_PICKER}`], label: 'bash or sh', named: shell => shell },
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
