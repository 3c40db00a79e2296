// `npm start`: the sandbox cluster, then the example portal (backend + frontend) wired to it.
// Runs under the provisioned toolchain (scripts/run.mjs). Ctrl-C stops everything.
//
// Two sandbox clusters: `sandbox` (every demo workload) and `production` (payments-api again, marked
// production: true, so its shells run as a normal user). The portal calls both with a token holding
// exactly examples/rbac.yaml's rules, which proves them enough.
//
// Environment (all optional): KT_APP_PORT (3000), KT_BACKEND_PORT (7007), KT_SANDBOX_PORT (6443),
// KT_SANDBOX_PRODUCTION_PORT (the next one), KT_STATE_DIR (.sandbox: kubeconfigs, generated config, logs),
// KT_BACKOFF_MS (sandbox crash back-off).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const appPort = Number(process.env.KT_APP_PORT ?? 3000);
const backendPort = Number(process.env.KT_BACKEND_PORT ?? 7007);
const sandboxPort = Number(process.env.KT_SANDBOX_PORT ?? 6443);
const productionPort = Number(process.env.KT_SANDBOX_PRODUCTION_PORT ?? sandboxPort + 1);
const stateDir = path.resolve(root, process.env.KT_STATE_DIR ?? '.sandbox');
const logDir = path.join(stateDir, 'logs');
const kubeconfig = path.join(stateDir, 'kubeconfig');
const productionKubeconfig = path.join(stateDir, 'kubeconfig-production');
const rbacFile = path.join(root, 'examples', 'rbac.yaml');
const children = [];
let stopping = false;

/** Paths inside the repository print relative to it, others absolute. */
function show(p) {
  const rel = path.relative(root, p);
  return rel.startsWith('..') ? p : rel;
}

function say(msg) {
  process.stdout.write(`${msg}\n`);
}

/** Starts a child in its own process group, its output into logs/<name>.log. */
function launch(name, cmd, args, env = {}) {
  const logFile = path.join(logDir, `${name}.log`);
  const out = fs.openSync(logFile, 'w');
  const child = spawn(cmd, args, {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['pipe', out, out], // stdin stays open: the sandbox leaves when it closes
    detached: true,
  });
  fs.closeSync(out);
  child.logFile = logFile;
  child.name = name;
  children.push(child);
  child.on('exit', (code, signal) => {
    if (!stopping) {
      say(`${name} stopped unexpectedly (${signal ?? `exit code ${code}`}); last lines of ${show(logFile)}:`);
      say(tail(logFile, 30));
      stop(1);
    }
  });
  return child;
}

function tail(file, n) {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-n).join('\n');
  } catch {
    return '';
  }
}

async function waitFor(what, check, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (stopping) throw new Error('stopped');
    try {
      if (await check()) return;
    } catch {
      // not yet
    }
    await new Promise(r => setTimeout(r, 500));
  }
  throw new Error(`${what} did not come up within ${Math.round(timeoutMs / 1000)} s`);
}

function killGroup(child, signal) {
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

/** SIGTERM to every process group, SIGKILL to whatever is left after 20 s. */
async function stop(code) {
  if (stopping) return;
  stopping = true;
  const alive = children.filter(c => c.exitCode === null && c.signalCode === null);
  for (const c of alive) killGroup(c, 'SIGTERM');
  await Promise.race([
    Promise.all(alive.map(c => new Promise(r => (c.exitCode !== null || c.signalCode !== null ? r() : c.once('exit', r))))),
    new Promise(r => setTimeout(r, 20_000)),
  ]);
  // Children of the groups (dev servers' workers) go too, even if the leader already exited.
  for (const c of children) killGroup(c, 'SIGKILL');
  process.exit(code);
}

for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => stop(0));

async function main() {
  fs.mkdirSync(logDir, { recursive: true });
  const sandboxArgs = (port, file, workloads) => [
    // One process (tsx as a loader, not tsx's wrapper process), so a stop signal reaches the sandbox
    // itself and the group kill that follows cannot cut its cleanup short.
    '--import', 'tsx', path.join(root, 'packages', 'sandbox-cluster', 'src', 'cli.ts'),
    '--port', String(port), '--kubeconfig', file, '--rbac', `kube-troubleshoot=${rbacFile}`,
    ...workloads.flatMap(w => ['--workloads', path.join(root, w)]),
  ];
  const sandboxEnv = { SANDBOX_EXIT_WITH_STDIN: '1', ...(process.env.KT_BACKOFF_MS ? { SANDBOX_BACKOFF_MS: process.env.KT_BACKOFF_MS } : {}) };
  launch('sandbox', process.execPath, sandboxArgs(sandboxPort, kubeconfig, ['examples/workloads']), sandboxEnv);
  launch('sandbox-production', process.execPath, sandboxArgs(productionPort, productionKubeconfig, ['examples/workloads/payments-api.yaml']), sandboxEnv);
  for (const [name, file] of [['sandbox', kubeconfig], ['sandbox-production', productionKubeconfig]]) {
    await waitFor(`the ${name} cluster`, () => fs.existsSync(file) && /sandbox cluster at/.test(tail(path.join(logDir, `${name}.log`), 5)), 30_000);
  }

  // Ports, URLs and the sandbox clusters for this run, layered over app-config.yaml.
  const clusterEntry = (name, file, production) => {
    const kc = JSON.parse(fs.readFileSync(file, 'utf8'));
    const { cluster } = kc.clusters[0];
    const token = kc.users.find(u => u.name === 'sandbox-kube-troubleshoot').user.token;
    return [
      `    - name: ${name}`,
      `      url: ${cluster.server}`,
      `      caData: ${cluster['certificate-authority-data']}`,
      `      serviceAccountToken: ${token}`,
      ...(production ? ['      production: true'] : []),
    ];
  };
  const localConfig = path.join(stateDir, 'app-config.generated.yaml');
  fs.writeFileSync(
    localConfig,
    [
      '# Written by scripts/start.mjs for this run; do not edit.',
      'app:',
      `  baseUrl: http://localhost:${appPort}`,
      'backend:',
      `  baseUrl: http://localhost:${backendPort}`,
      '  listen:',
      `    port: ${backendPort}`,
      '  cors:',
      `    origin: http://localhost:${appPort}`,
      'kubeTroubleshoot:',
      '  clusters:',
      ...clusterEntry('sandbox', kubeconfig, false),
      ...clusterEntry('production', productionKubeconfig, true),
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  launch('portal', path.join(root, 'node_modules', '.bin', 'backstage-cli'), ['repo', 'start', '--config', path.join(root, 'app-config.yaml'), '--config', localConfig], {
    KUBECONFIG: kubeconfig,
    BROWSER: 'none',
  });
  await waitFor('the backend', async () => (await fetch(`http://localhost:${backendPort}/.backstage/health/v1/readiness`)).ok, 300_000);
  await waitFor('the frontend', async () => (await fetch(`http://localhost:${appPort}/`)).ok, 300_000);
  say(`Kube Troubleshoot portal: http://localhost:${appPort}  (sign in as alice, bob or admin; kubectl: KUBECONFIG=${show(kubeconfig)}; logs in ${show(logDir)}/; Ctrl-C stops everything)`);
  // Without root (a laptop) the sandbox runs containers as plain processes: say so, in its words.
  const warning = /sandbox: warning: (.*)/.exec(tail(path.join(logDir, 'sandbox.log'), 20));
  if (warning) say(`Without isolation: ${warning[1]}`);
}

main().catch(e => {
  if (!stopping) {
    say(`npm start failed: ${e.message}`);
    for (const c of children) {
      say(`--- ${c.name}: last lines of ${show(c.logFile)}`);
      say(tail(c.logFile, 20));
    }
    stop(1);
  }
});
