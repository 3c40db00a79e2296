import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findTool, freePort, repoRoot, waitFor } from './tools';

/**
 * nginx as the load balancer in front of backend replicas: Debian's binary (on PATH, in /usr/sbin,
 * or the one `npm test` extracts into .toolchain/nginx without installing the package, which would
 * start a system-wide server), with a private prefix, config and logs in a temporary folder.
 */
export function findNginx(): string | undefined {
  for (const candidate of [findTool('nginx'), '/usr/sbin/nginx', path.join(repoRoot, '.toolchain', 'nginx', 'usr', 'sbin', 'nginx')]) {
    if (candidate && fs.existsSync(candidate)) return candidate;
  }
  return undefined;
}

export interface Nginx {
  port: number;
  url: string;
  /** nginx's error log (upstream failures are explained there). */
  errorLog: string;
  /** One line per request: `<status> <upstream address> <request>`. */
  accessLog: string;
  proc: ChildProcess;
  stop(): Promise<void>;
}

/**
 * The reverse proxy of the README ("PostgreSQL and several replicas"): round robin, no stickiness,
 * WebSocket upgrades passed on, streams not buffered. A replica that refuses connections is skipped
 * for `failTimeoutSeconds`.
 */
export function nginxConfig(opts: { port: number; upstreams: number[]; prefix: string; failTimeoutSeconds: number; asRoot: boolean }): string {
  const p = (name: string) => path.join(opts.prefix, name);
  return `
${opts.asRoot ? 'user nobody nogroup;' : ''}
worker_processes 1;
daemon off;
pid ${p('nginx.pid')};
error_log ${p('error.log')} info;
events { worker_connections 4096; }
http {
  log_format upstreamlog '$status $upstream_addr $request';
  access_log ${p('access.log')} upstreamlog;
  client_body_temp_path ${p('client_body')};
  proxy_temp_path ${p('proxy')};
  fastcgi_temp_path ${p('fastcgi')};
  uwsgi_temp_path ${p('uwsgi')};
  scgi_temp_path ${p('scgi')};

  map $http_upgrade $connection_upgrade {
    default upgrade;
    ''      close;
  }
  upstream backstage {
${opts.upstreams.map(port => `    server 127.0.0.1:${port} max_fails=1 fail_timeout=${opts.failTimeoutSeconds}s;`).join('\n')}
  }
  server {
    listen 127.0.0.1:${opts.port};
    client_max_body_size 10m;
    location / {
      proxy_pass http://backstage;
      proxy_http_version 1.1;
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_buffering off;
      proxy_read_timeout 1h;
      proxy_send_timeout 1h;
    }
  }
}
`;
}

export async function startNginx(name: string, upstreams: number[], failTimeoutSeconds = 2): Promise<Nginx> {
  const bin = findNginx();
  if (!bin) throw new Error('nginx not found (npm test extracts Debian\'s nginx into .toolchain/nginx; or apt-get install nginx)');
  const prefix = fs.mkdtempSync(path.join(os.tmpdir(), `kube-troubleshoot-nginx-${name}-`));
  fs.chmodSync(prefix, 0o777);
  const port = await freePort();
  const asRoot = process.getuid?.() === 0;
  const conf = path.join(prefix, 'nginx.conf');
  fs.writeFileSync(conf, nginxConfig({ port, upstreams, prefix, failTimeoutSeconds, asRoot }));
  const errorLog = path.join(prefix, 'error.log');
  const check = spawnSync(bin, ['-t', '-p', prefix, '-c', conf, '-e', errorLog], { encoding: 'utf8' });
  if (check.status !== 0) {
    fs.rmSync(prefix, { recursive: true, force: true });
    throw new Error(`nginx -t: ${check.stderr}`);
  }
  // Its own process group: stop() ends the master and its worker together.
  const proc = spawn(bin, ['-p', prefix, '-c', conf, '-e', errorLog], { stdio: 'ignore', detached: true });
  const stop = async () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      const exited = new Promise(resolve => proc.once('exit', resolve));
      try {
        process.kill(-proc.pid!, 'SIGTERM');
      } catch {
        // gone
      }
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([exited, new Promise(resolve => (timer = setTimeout(resolve, 10_000)))]);
      clearTimeout(timer);
    }
    try {
      process.kill(-proc.pid!, 'SIGKILL');
    } catch {
      // gone
    }
    fs.rmSync(prefix, { recursive: true, force: true });
  };
  const url = `http://localhost:${port}`;
  try {
    await waitFor(
      'nginx to listen',
      async () => {
        if (proc.exitCode !== null) throw new Error(`nginx exited (${proc.exitCode}): ${fs.readFileSync(errorLog, 'utf8')}`);
        return fs.existsSync(path.join(prefix, 'nginx.pid')) && /start worker process/.test(fs.readFileSync(errorLog, 'utf8')) ? true : undefined;
      },
      15_000,
    );
  } catch (e) {
    await stop();
    throw e;
  }
  return { port, url, errorLog, accessLog: path.join(prefix, 'access.log'), proc, stop };
}
