import path from 'node:path';
import WebSocket from 'ws';
import { KubeApi } from '../clusters/KubeClient';
import { CHANNEL, ExitResult, readExitStatus, UPSTREAM_PROTOCOLS } from '../clusters/channelProtocol';
import { execCommand } from '../clusters/execCommand';
import { StatusError } from '../http/errors';

/** A normalised absolute path inside the container, or the reason it is refused. */
export function checkContainerPath(p: unknown): { ok: true; dir: string; base: string } | { ok: false; message: string } {
  if (typeof p !== 'string' || !p.startsWith('/') || p.includes('\0')) return { ok: false, message: 'path must be an absolute path inside the container, e.g. /app/config.yaml' };
  if (p.split('/').includes('..')) return { ok: false, message: `path ${p} leaves the container's root: ".." is not allowed` };
  const normal = path.posix.normalize(p);
  if (normal === '/') return { ok: false, message: 'path / is the whole container: name a file or folder in it' };
  return { ok: true, dir: path.posix.dirname(normal), base: path.posix.basename(normal) };
}

export interface TarSink {
  /** Called once, before the first byte: the archive exists. */
  start(): void;
  /** Told the archive's approximate size before it starts (for the browser's progress). */
  estimate?(bytes: number): void;
  /** Resolves when the sink can take more (backpressure). */
  write(chunk: Buffer): Promise<void>;
}

export type TarResult = { ok: true; bytes: number } | { ok: false; status: 400 | 404 | 413 | 502; message: string; missingTar?: boolean; started: boolean };

/**
 * Streams `tar cf - -C <dir> <base>` run in a container (exec, no terminal) into a sink, cut at
 * `maxBytes`. `root` prefixes the path: `/proc/1/root` from a debug container reads its target.
 */
export async function streamTar(
  client: KubeApi,
  target: { namespace: string; pod: string; container: string },
  file: { dir: string; base: string },
  sink: TarSink,
  options: { maxBytes: number; root?: string; signal?: AbortSignal; asUser?: AsUser },
): Promise<TarResult> {
  const query = new URLSearchParams({ container: target.container, stdout: 'true', stderr: 'true' });
  // `--`: a name like `--checkpoint-action=...` is a file to tar, never an option.
  const tar = ['tar', 'cf', '-', '-C', `${options.root ?? ''}${file.dir}`, '--', file.base];
  for (const part of options.asUser ? options.asUser(tar) : tar) query.append('command', part);
  const ws: WebSocket = await client.openWebSocket(`/api/v1/namespaces/${encodeURIComponent(target.namespace)}/pods/${encodeURIComponent(target.pod)}/exec`, query, UPSTREAM_PROTOCOLS);
  return new Promise(resolve => {
    let bytes = 0;
    let started = false;
    let stderr = '';
    let exit: ReturnType<typeof readExitStatus> | undefined;
    let done = false;
    let writing: Promise<void> = Promise.resolve();
    const finish = (r: TarResult) => {
      if (done) return;
      done = true;
      if (ws.readyState === WebSocket.OPEN) ws.close();
      resolve(r);
    };
    const cancelled = () => finish({ ok: false, status: 400, message: 'the download was cancelled', started });
    if (options.signal?.aborted) cancelled();
    options.signal?.addEventListener('abort', cancelled);
    ws.on('message', (data: Buffer) => {
      if (done || !data.length) return;
      const payload = data.subarray(1);
      if (data[0] === CHANNEL.stdout && payload.length) {
        bytes += payload.length;
        if (bytes > options.maxBytes) {
          finish({ ok: false, status: 413, message: `the archive is larger than kubeTroubleshoot.debug.fileMaxBytes (${options.maxBytes} bytes)`, started });
          return;
        }
        try {
          if (!started) {
            started = true;
            sink.start();
          }
        } catch (e) {
          finish({ ok: false, status: 502, message: `the download could not start: ${(e as Error).message}`, started: false });
          return;
        }
        ws.pause();
        writing = writing
          .then(() => sink.write(Buffer.from(payload)))
          .then(() => ws.resume())
          .catch(e => finish({ ok: false, status: 502, message: `the download failed: ${(e as Error).message}`, started }));
      } else if (data[0] === CHANNEL.stderr) {
        stderr += payload.toString('utf8');
      } else if (data[0] === CHANNEL.error) {
        exit = readExitStatus(payload);
      }
    });
    ws.on('close', () => {
      void writing.then(() => {
        if (exit && 'exitCode' in exit && exit.exitCode === 0) return finish({ ok: true, bytes });
        const why = stderr.trim() || (exit && 'error' in exit ? exit.error : 'the exec ended without a status');
        if (exit && 'error' in exit && /executable file not found|no such file or directory/i.test(exit.error) && !stderr) {
          return finish({ ok: false, status: 502, message: `the container has no tar: ${exit.error}`, missingTar: true, started });
        }
        const status = /No such file|Cannot stat/i.test(why) ? 404 : 502;
        return finish({ ok: false, status, message: `tar in the container failed: ${why}`, started });
      });
    });
    ws.on('error', e => finish({ ok: false, status: 502, message: `the exec failed: ${e.message}`, started }));
  });
}

/**
 * Asked of the container that will read the path, before any byte is sent: can it (sh and tar),
 * does the path exist, may it be read, and about how large is it (`du -sk`, GNU and busybox alike).
 */
const PROBE = [
  'p=$1',
  'command -v tar >/dev/null 2>&1 || { echo no-tar; exit 0; }',
  // Through /proc/1/root, the target's files are there only for a debug container allowed to see them.
  'if [ -n "$2" ] && ! ls "$2/" >/dev/null 2>&1; then echo no-root; exit 0; fi',
  'if [ ! -e "$p" ] && [ ! -L "$p" ]; then echo missing; exit 0; fi',
  'if [ ! -r "$p" ]; then echo unreadable; exit 0; fi',
  'set -- $(du -sk "$p" 2>/dev/null)',
  'echo "size ${1:-0}"',
].join('\n');

export type ProbeResult = { kind: 'no-tools'; why: string } | { kind: 'missing' } | { kind: 'unreadable' } | { kind: 'no-root' } | { kind: 'size'; bytes: number };

/** Runs a command as the production normal user (the shell wrapper with `-- COMMAND`), or as it is. */
export type AsUser = (command: string[]) => string[];

/** Reads the probe's answer (pure). */
export function readProbe(out: { stdout: string; stderr: string; exit: ExitResult }): ProbeResult {
  if ('error' in out.exit) {
    if (/executable file not found|no such file or directory/i.test(out.exit.error)) return { kind: 'no-tools', why: out.exit.error };
    throw new StatusError(502, `asking the container about the path failed: ${out.exit.error}`);
  }
  const answer = out.stdout.trim();
  if (answer === 'no-tar') return { kind: 'no-tools', why: 'the container has no tar' };
  if (answer === 'missing' || answer === 'unreadable' || answer === 'no-root') return { kind: answer };
  const m = /^size (\d+)$/.exec(answer);
  if (!m) {
    const why = out.stderr.trim() || ('exitCode' in out.exit ? `exit code ${out.exit.exitCode}` : '');
    throw new StatusError(502, `the container could not tell whether the path can be read${why ? `: ${why.slice(0, 300)}` : ''}`);
  }
  return { kind: 'size', bytes: Number(m[1]) * 1024 };
}

/** Runs the probe for `root + path` in one container. */
export async function probePath(
  client: KubeApi,
  target: { namespace: string; pod: string; container: string },
  file: { dir: string; base: string },
  options: { root?: string; asUser?: AsUser } = {},
): Promise<ProbeResult> {
  const root = options.root ?? '';
  const full = `${root}${path.posix.join(file.dir, file.base)}`;
  const command = ['sh', '-c', PROBE, 'probe', full, root];
  return readProbe(await execCommand(client, target, options.asUser ? options.asUser(command) : command, { timeoutMs: 30_000 }));
}
