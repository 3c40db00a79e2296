import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Browser, BrowserContext, chromium, Locator, Page } from 'playwright-core';
import { CuttingProxy, startCuttingProxy } from './cuttingProxy';
import { repoRoot, requireTool, waitFor, freePort } from './tools';

/**
 * The example portal for the Chromium tests: the app is built and served by the backend
 * (app-backend), on a free port, so it runs beside an `npm start` on 3000/7007.
 * Set KT_E2E_PORT to pin the port (one portal at a time then).
 */

export const chromiumPath = requireTool('chromium', 'the portal e2e tests drive Debian chromium');

const backstageCli = path.join(repoRoot, 'node_modules', '.bin', 'backstage-cli');
const appDir = path.join(repoRoot, 'packages', 'app');

export { freePort };

export interface Portal {
  baseUrl: string;
  /** This portal's temporary folder (config, logs, downloads). */
  tmp: string;
  backendLog: string;
  browser: Browser;
  /** What the pages of this portal threw. */
  browserErrors: string[];
  backend?: BackendProcess;
  /** With `cuttable`: the TCP proxy in front of the portal, which cuts every connection at once. */
  proxy?: CuttingProxy;
}

export interface PortalOptions {
  /** Names the temporary folder. */
  name: string;
  /** Serve the portal through a TCP proxy that can cut every connection (a network blip). */
  cuttable?: boolean;
  /** More config for this portal (JSON is YAML), over app-config.yaml. */
  config?: Record<string, unknown>;
}


export function tail(file: string, lines = 40): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

// Jest's NODE_ENV=test would leak into the CLI (browserslist has no `test` env); the CLI sets its own.
function cliEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.NODE_ENV;
  return env;
}

/** Runs the CLI to completion in its own process group, output into a log file. */
function run(log: string, args: string[], cwd: string): Promise<void> {
  const out = fs.openSync(log, 'w');
  const child = spawn(backstageCli, args, { cwd, env: cliEnv(), stdio: ['ignore', out, out], detached: true });
  fs.closeSync(out);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', code =>
      code === 0 ? resolve() : reject(new Error(`${args.join(' ')} failed (exit ${code}):\n${tail(log)}`)),
    );
  });
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals) {
  try {
    process.kill(-child.pid!, signal);
  } catch {
    // already gone
  }
}

/** The newest modification time of the files the app bundle is made from. */
function newestInput(): number {
  let newest = 0;
  const visit = (p: string) => {
    let st: fs.Stats;
    try {
      st = fs.statSync(p);
    } catch {
      return;
    }
    if (st.isDirectory()) {
      for (const e of fs.readdirSync(p)) if (e !== 'node_modules' && e !== 'dist') visit(path.join(p, e));
    } else {
      newest = Math.max(newest, st.mtimeMs);
    }
  };
  for (const dir of fs.readdirSync(path.join(repoRoot, 'plugins'))) {
    const plugin = path.join(repoRoot, 'plugins', dir);
    if (dir.endsWith('-backend')) continue;
    visit(path.join(plugin, 'src'));
    visit(path.join(plugin, 'package.json'));
  }
  visit(path.join(appDir, 'src'));
  visit(path.join(appDir, 'public'));
  visit(path.join(appDir, 'package.json'));
  visit(path.join(repoRoot, 'package-lock.json'));
  return newest;
}

/**
 * Builds packages/app unless its bundle is newer than every source it is made from. The bundle
 * does not depend on the port (app-backend injects the config when it serves it), so test files
 * share it; a lock keeps two Jest workers from building into the same dist/ at once.
 */
async function ensureAppBuilt(configArgs: string[], log: string): Promise<void> {
  const lock = path.join(os.tmpdir(), 'kube-troubleshoot-app-build.lock');
  const stamp = path.join(appDir, 'dist', '.e2e-built');
  await waitFor(
    'the app build lock',
    () => {
      try {
        fs.mkdirSync(lock);
        fs.writeFileSync(path.join(lock, 'pid'), String(process.pid));
        return true;
      } catch {
        // A lock left by a killed run: its process is gone.
        const pid = Number(fs.readFileSync(path.join(lock, 'pid'), { encoding: 'utf8', flag: 'a+' }) || 0);
        if (pid && !fs.existsSync(`/proc/${pid}`)) fs.rmSync(lock, { recursive: true, force: true });
        return undefined;
      }
    },
    600_000,
  );
  try {
    const built = fs.existsSync(stamp) ? fs.statSync(stamp).mtimeMs : 0;
    if (built > newestInput()) return;
    await run(log, ['package', 'build', ...configArgs], appDir);
    fs.writeFileSync(stamp, new Date().toISOString());
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

export async function signInToken(baseUrl: string, user: string): Promise<string> {
  const res = await fetch(`${baseUrl}/api/auth/dev/refresh`, {
    headers: { 'x-kube-troubleshoot-dev-user': user, 'X-Requested-With': 'XMLHttpRequest' },
  });
  if (!res.ok) throw new Error(`sign-in as ${user}: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { backstageIdentity: { token: string } };
  return body.backstageIdentity.token;
}

/** Where the example portal's config lives, plus one file of overrides (JSON is YAML). */
export function writeConfig(tmp: string, name: string, config: Record<string, unknown>): string[] {
  const file = path.join(tmp, `app-config.${name}.yaml`);
  fs.writeFileSync(file, JSON.stringify(config, null, 2), { mode: 0o600 });
  return ['--config', path.join(repoRoot, 'app-config.yaml'), '--config', file];
}

/** Builds the app once for every test file (see ensureAppBuilt). */
export async function buildApp(tmp: string): Promise<void> {
  await ensureAppBuilt(writeConfig(tmp, 'build', {}), path.join(tmp, 'app-build.log'));
}

/** One backend of the example portal, in its own process group (the CLI and the backend it forks). */
export interface BackendProcess {
  /** Where this backend listens itself (not through a proxy). */
  url: string;
  log: string;
  proc: ChildProcess;
  /** SIGTERM (a clean stop, as a deploy does) or SIGKILL (a crash); resolves once it is gone. */
  stop(signal?: 'SIGTERM' | 'SIGKILL'): Promise<void>;
}

export async function startBackend(opts: { tmp: string; name: string; port: number; config: Record<string, unknown>; waitReady?: boolean }): Promise<BackendProcess> {
  const configArgs = writeConfig(opts.tmp, opts.name, opts.config);
  const log = path.join(opts.tmp, `${opts.name}.log`);
  const out = fs.openSync(log, 'w');
  const proc = spawn(backstageCli, ['package', 'start', ...configArgs], {
    cwd: path.join(repoRoot, 'packages', 'backend'),
    env: cliEnv(),
    stdio: ['ignore', out, out],
    detached: true,
  });
  fs.closeSync(out);
  const url = `http://localhost:${opts.port}`;
  const gone = new Promise<void>(resolve => proc.once('exit', () => resolve()));
  const backend: BackendProcess = {
    url,
    log,
    proc,
    stop: async (signal = 'SIGTERM') => {
      if (proc.exitCode === null && proc.signalCode === null) {
        killGroup(proc, signal);
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([gone, new Promise(resolve => (timer = setTimeout(resolve, 10_000)))]);
        clearTimeout(timer);
      }
      // The CLI's child may outlive it: the whole group goes.
      killGroup(proc, 'SIGKILL');
    },
  };
  if (opts.waitReady === false) return backend;
  try {
    await waitForReady(backend);
  } catch (e) {
    await backend.stop('SIGKILL');
    throw e;
  }
  return backend;
}

/** Waits until the backend answers its readiness probe. */
export async function waitForReady(backend: BackendProcess, timeoutMs = 180_000): Promise<void> {
  await waitFor(
    'the backend',
    async () => {
      if (backend.proc.exitCode !== null) throw new Error(`backend exited:\n${tail(backend.log)}`);
      return (await fetch(`${backend.url}/.backstage/health/v1/readiness`)).ok || undefined;
    },
    timeoutMs,
  ).catch(e => {
    // The probes' own request lines would hide why it is not ready.
    const lines = fs.readFileSync(backend.log, 'utf8').split('\n').filter(l => !l.includes('incomingRequest'));
    throw new Error(`${(e as Error).message}\n${backend.log}:\n${lines.slice(-40).join('\n')}`);
  });
}

/** Waits until the catalog has ingested examples/ (the dev users and payments-api). */
export async function waitForCatalog(baseUrl: string): Promise<void> {
  // The catalog ingests examples/ after start-up: alice exists once org.yaml is in.
  const token = await waitFor('alice in the catalog', () => signInToken(baseUrl, 'alice'), 60_000);
  await waitFor(
    'payments-api in the catalog',
    async () =>
      (
        await fetch(`${baseUrl}/api/catalog/entities/by-name/component/default/payments-api`, {
          headers: { Authorization: `Bearer ${token}` },
        })
      ).ok || undefined,
    60_000,
  );
}

export function launchChromium(): Promise<Browser> {
  if (!chromiumPath) throw new Error('chromium is not installed');
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/** Builds the app if needed, starts the backend serving it, waits for the catalog, opens Chromium. */
export async function startPortal(options: PortalOptions): Promise<Portal> {
  if (!chromiumPath) throw new Error('chromium is not installed');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), `kube-troubleshoot-${options.name}-`));
  const port = Number(process.env.KT_E2E_PORT) || (await freePort());
  // Behind a cutting proxy, the browser reaches the proxy's port; the backend listens on its own.
  const proxy = options.cuttable ? await startCuttingProxy({ host: '127.0.0.1', port }) : undefined;
  const baseUrl = `http://localhost:${proxy?.port ?? port}`;
  await buildApp(tmp);
  // The backend serves the built app, so app and backend share one origin and port.
  const backend = await startBackend({
    tmp,
    name: 'backend',
    port,
    waitReady: false,
    config: { app: { baseUrl }, backend: { baseUrl, listen: { port }, cors: { origin: baseUrl } }, ...options.config },
  });
  const portal: Portal = { baseUrl, tmp, backendLog: backend.log, backend, proxy, browserErrors: [], browser: undefined as unknown as Browser };
  try {
    await waitForReady(backend);
    await waitForCatalog(baseUrl);
    portal.browser = await launchChromium();
  } catch (e) {
    await stopPortal(portal);
    throw e;
  }
  return portal;
}

/** A fresh browser profile (its own sign-in) on the portal. */
export async function newPage(portal: Portal, viewport = { width: 1280, height: 800 }): Promise<{ context: BrowserContext; page: Page }> {
  const context = await portal.browser.newContext({ viewport, acceptDownloads: true });
  const page = await context.newPage();
  page.on('pageerror', e => portal.browserErrors.push(e.message));
  return { context, page };
}

/** Waits for an element; a timeout reports what the browser and the backend said. */
export async function shown(portal: Portal, locator: Locator, what: string, timeout: number): Promise<Locator> {
  try {
    await locator.waitFor({ timeout });
    return locator;
  } catch (e) {
    throw new Error(
      `${what} not shown: ${(e as Error).message}\n` +
        `page errors: ${portal.browserErrors.join('\n') || 'none'}\nbackend log:\n${tail(portal.backendLog)}`,
    );
  }
}

/** Signs in through the dev user picker; done when the catalog (the home page) lists an entity. */
export async function signIn(portal: Portal, page: Page, user: string): Promise<void> {
  await page.goto(portal.baseUrl);
  await shown(portal, page.getByRole('button', { name: `Sign in as ${user}` }), 'the user picker', 60_000);
  await page.getByRole('button', { name: `Sign in as ${user}` }).click();
  // The catalog opens on the user's own entities: each user owns at least one.
  await shown(portal, page.locator('table a[href*="/catalog/default/"]').first(), `the catalog as ${user}`, 60_000);
}

/** Closes Chromium and stops the backend (the CLI's watcher and the backend it forks). */
export async function stopPortal(portal: Portal | undefined, options: { keepTmp?: boolean } = {}): Promise<void> {
  if (!portal) return;
  await portal.browser?.close().catch(() => undefined);
  const backend = portal.backend;
  portal.backend = undefined;
  await backend?.stop('SIGTERM');
  await portal.proxy?.stop();
  portal.proxy = undefined;
  if (!options.keepTmp) fs.rmSync(portal.tmp, { recursive: true, force: true });
}
