import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { BrowserContext, chromium, Locator, Page } from 'playwright-core';
import { repoRoot, requireTool, waitFor } from '../support/tools';

/**
 * Real Chromium against the example portal: the app is built and served by the backend
 * (app-backend), on a free port, so it runs beside an `npm start` on 3000/7007.
 * Set KT_E2E_PORT to pin the port.
 */
jest.setTimeout(300_000);

const chromiumPath = requireTool(
  'chromium',
  'the portal e2e test drives Debian chromium',
);
const describeIf = chromiumPath ? describe : describe.skip;

const backstageCli = path.join(
  repoRoot,
  'node_modules',
  '.bin',
  'backstage-cli',
);
const screenshotPath = path.join(repoRoot, 'docs', 'screenshot.png');

let tmp: string;
let baseUrl: string;
let backend: ChildProcess | undefined;
let backendLog: string;
let context: BrowserContext | undefined;
let page: Page;
const browserErrors: string[] = [];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function tail(file: string, lines = 40): string {
  try {
    return fs
      .readFileSync(file, 'utf8')
      .trimEnd()
      .split('\n')
      .slice(-lines)
      .join('\n');
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
function run(name: string, args: string[], cwd: string): Promise<void> {
  const log = path.join(tmp, `${name}.log`);
  const out = fs.openSync(log, 'w');
  const child = spawn(backstageCli, args, {
    cwd,
    env: cliEnv(),
    stdio: ['ignore', out, out],
    detached: true,
  });
  fs.closeSync(out);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', code =>
      code === 0
        ? resolve()
        : reject(new Error(`${name} failed (exit ${code}):\n${tail(log)}`)),
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

async function stopBackend() {
  if (!backend) return;
  const child = backend;
  backend = undefined;
  if (child.exitCode === null && child.signalCode === null) {
    let timer: NodeJS.Timeout | undefined;
    const exited = new Promise(resolve => child.once('exit', resolve));
    killGroup(child, 'SIGTERM');
    await Promise.race([
      exited,
      new Promise(resolve => (timer = setTimeout(resolve, 10_000))),
    ]);
    clearTimeout(timer);
  }
  // The CLI's watcher and the backend it forks share the group: take them all.
  killGroup(child, 'SIGKILL');
}

async function signInToken(user: string): Promise<string> {
  const res = await fetch(`${baseUrl}/api/auth/dev/refresh`, {
    headers: {
      'x-kube-troubleshoot-dev-user': user,
      'X-Requested-With': 'XMLHttpRequest',
    },
  });
  if (!res.ok)
    throw new Error(`sign-in as ${user}: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { backstageIdentity: { token: string } };
  return body.backstageIdentity.token;
}

/** Waits for an element; a timeout reports what the browser and the backend said. */
async function shown(
  locator: Locator,
  what: string,
  timeout: number,
): Promise<Locator> {
  try {
    await locator.waitFor({ timeout });
    return locator;
  } catch (e) {
    throw new Error(
      `${what} not shown: ${(e as Error).message}\n` +
        `page errors: ${
          browserErrors.join('\n') || 'none'
        }\nbackend log:\n${tail(backendLog)}`,
    );
  }
}

describeIf('example portal in Chromium', () => {
  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kube-troubleshoot-e2e-'));
    const port = Number(process.env.KT_E2E_PORT) || (await freePort());
    baseUrl = `http://localhost:${port}`;

    // The backend serves the built app, so app and backend share one origin and port.
    const config = path.join(tmp, 'app-config.e2e.yaml');
    fs.writeFileSync(
      config,
      [
        'app:',
        `  baseUrl: ${baseUrl}`,
        'backend:',
        `  baseUrl: ${baseUrl}`,
        '  listen:',
        `    port: ${port}`,
        '  cors:',
        `    origin: ${baseUrl}`,
        '',
      ].join('\n'),
    );
    const configArgs = [
      '--config',
      path.join(repoRoot, 'app-config.yaml'),
      '--config',
      config,
    ];

    await run(
      'app-build',
      ['package', 'build', ...configArgs],
      path.join(repoRoot, 'packages', 'app'),
    );

    backendLog = path.join(tmp, 'backend.log');
    const out = fs.openSync(backendLog, 'w');
    backend = spawn(backstageCli, ['package', 'start', ...configArgs], {
      cwd: path.join(repoRoot, 'packages', 'backend'),
      env: cliEnv(),
      stdio: ['ignore', out, out],
      detached: true,
    });
    fs.closeSync(out);
    const started = backend;
    await waitFor(
      'the backend',
      async () => {
        if (started.exitCode !== null)
          throw new Error(`backend exited:\n${tail(backendLog)}`);
        return (
          (await fetch(`${baseUrl}/.backstage/health/v1/readiness`)).ok ||
          undefined
        );
      },
      180_000,
    );
    // The catalog ingests examples/ after start-up: alice exists once org.yaml is in.
    const token = await waitFor(
      'alice in the catalog',
      () => signInToken('alice'),
      60_000,
    );
    await waitFor(
      'payments-api in the catalog',
      async () =>
        (
          await fetch(
            `${baseUrl}/api/catalog/entities/by-name/component/default/payments-api`,
            {
              headers: { Authorization: `Bearer ${token}` },
            },
          )
        ).ok || undefined,
      60_000,
    );

    context = await chromium.launchPersistentContext(
      path.join(tmp, 'chromium-profile'),
      {
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
        viewport: { width: 1280, height: 800 },
      },
    );
    page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', e => browserErrors.push(e.message));
  });

  afterAll(async () => {
    await context?.close().catch(() => undefined);
    await stopBackend();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('signs in as alice and shows payments-api with its owner', async () => {
    await page.goto(baseUrl);
    await page.getByRole('button', { name: 'Sign in as alice' }).click();
    // Signed in: the catalog is the home page.
    await shown(
      page.getByRole('link', { name: 'payments-api' }),
      'the catalog with payments-api',
      60_000,
    );

    await page.goto(`${baseUrl}/catalog/default/component/payments-api`);
    const title = await shown(
      page.getByRole('heading', { name: 'payments-api', exact: true }).first(),
      'the entity page title',
      60_000,
    );
    const owner = await shown(
      page.getByRole('link', { name: 'team-payments' }).first(),
      'the owner',
      30_000,
    );

    expect(await title.textContent()).toBe('payments-api');
    expect(await owner.textContent()).toContain('team-payments');
    expect(await page.getByRole('button', { name: /Sign in as/ }).count()).toBe(
      0,
    );

    fs.mkdirSync(path.dirname(screenshotPath), { recursive: true });
    await page.screenshot({ path: screenshotPath });
  });

  it('stays signed in as alice across a reload', async () => {
    await page.reload();
    await shown(
      page.getByRole('heading', { name: 'payments-api', exact: true }).first(),
      'the entity page after reload',
      60_000,
    );
    const identity = await page.evaluate(() =>
      window.localStorage.getItem('kube-troubleshoot:dev-user'),
    );
    expect(identity).toBe('alice');
  });

  it('signs out back to the user picker and forgets alice', async () => {
    await page.goto(`${baseUrl}/settings`);
    await shown(
      page.getByText('Backstage Identity', { exact: true }),
      'the settings page',
      60_000,
    );
    await page.getByRole('button', { name: 'more' }).click();
    await page.getByRole('menuitem', { name: /sign out/i }).click();
    await shown(
      page.getByRole('button', { name: 'Sign in as alice' }),
      'the user picker',
      30_000,
    );
    const identity = await page.evaluate(() =>
      window.localStorage.getItem('kube-troubleshoot:dev-user'),
    );
    expect(identity).toBeNull();
  });
});
