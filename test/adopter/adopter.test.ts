import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Browser, chromium, Page } from 'playwright-core';
import { Pod, Sandbox, startSandbox } from '@internal/sandbox-cluster';
import { freePort, repoRoot, requireTool, waitFor } from '../support/tools';
import { AppShape, applySteps, readSteps } from './readmeSteps';

/**
 * An adopter's install, by the README alone: a fresh app from @backstage/create-app (new frontend
 * system, and `--legacy`), this repository's plugin folders copied in, the README's install section
 * applied as written (readmeSteps.ts), `yarn install`, `yarn tsc`, `yarn build:all`; then the app's
 * backend is started against a sandbox cluster and Chromium signs in as the guest and uses the tabs.
 */
jest.setTimeout(45 * 60_000);

const CREATE_APP = '@backstage/create-app@0.9.2';
const chromiumPath = requireTool('chromium', 'the adopter test drives Debian chromium');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'kube-troubleshoot-adopter-'));
const logDir = path.join(repoRoot, 'test-results', 'adopter');

function sh(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, log: string, input?: string) {
  const fd = fs.openSync(log, 'a');
  try {
    fs.writeSync(fd, `\n$ ${cmd} ${args.join(' ')}\n`);
    execFileSync(cmd, args, { cwd, env, input, stdio: [input === undefined ? 'ignore' : 'pipe', fd, fd] });
  } catch (e) {
    throw new Error(`${cmd} ${args.join(' ')} failed in ${cwd}; see ${log}:\n${fs.readFileSync(log, 'utf8').slice(-4000)}`);
  } finally {
    fs.closeSync(fd);
  }
}

/** This repository as a fresh clone has it (tracked and new files, no node_modules or build output). */
function cleanCheckout(): string {
  const dir = path.join(work, 'kube-troubleshoot');
  const files = execFileSync('git', ['ls-files', '-co', '--exclude-standard', '-z'], { cwd: repoRoot, encoding: 'utf8' }).split('\0').filter(Boolean);
  for (const f of files) {
    const from = path.join(repoRoot, f);
    if (!fs.existsSync(from)) continue; // deleted, not yet committed
    fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    fs.copyFileSync(from, path.join(dir, f));
  }
  return dir;
}

/**
 * create-app writes caret ranges from the release it was made for and resolves them against today's
 * registry, which holds later releases whose packages do not start together with this one's
 * (plugin-signals-backend 0.3.21 calls httpRouter.addWebSocketHandler, which backend-defaults 0.18
 * lacks, so the pristine scaffold's backend fails). An adopter's app has a lock file from its
 * release: the scaffold gets the same, each of its own @backstage dependencies at its range's lower
 * bound. What the plugins bring in beyond those still resolves by their ranges.
 */
function pinScaffoldRelease(appDir: string): Record<string, string> {
  const pins: Record<string, string> = {};
  const manifests = [path.join(appDir, 'package.json'), ...fs.readdirSync(path.join(appDir, 'packages')).map(p => path.join(appDir, 'packages', p, 'package.json'))];
  for (const file of manifests.filter(f => fs.existsSync(f))) {
    const pkg = JSON.parse(fs.readFileSync(file, 'utf8'));
    for (const [name, range] of Object.entries<string>({ ...pkg.dependencies, ...pkg.devDependencies })) {
      const lower = /^\^(\d+\.\d+\.\d+)$/.exec(range);
      if (name.startsWith('@backstage/') && lower) pins[name] = lower[1];
    }
  }
  const root = path.join(appDir, 'package.json');
  const pkg = JSON.parse(fs.readFileSync(root, 'utf8'));
  pkg.resolutions = { ...pkg.resolutions, ...pins };
  fs.writeFileSync(root, `${JSON.stringify(pkg, null, 2)}\n`);
  return pins;
}

const packageName = (nameAtVersion: string) => nameAtVersion.slice(0, nameAtVersion.lastIndexOf('@'));

/** Every `@backstage/name@version` the app's yarn.lock resolves. */
function backstageVersions(appDir: string): Set<string> {
  const lock = fs.readFileSync(path.join(appDir, 'yarn.lock'), 'utf8');
  return new Set([...lock.matchAll(/^ {2}resolution: "(@backstage\/[^@"]+)@npm:([^"]+)"$/gm)].map(m => `${m[1]}@${m[2]}`));
}

let sandbox: Sandbox | undefined;
let browser: Browser | undefined;
let checkout: string;
let baseEnv: NodeJS.ProcessEnv;
const backends: ChildProcess[] = [];

beforeAll(async () => {
  fs.mkdirSync(logDir, { recursive: true });
  checkout = cleanCheckout();
  // create-app runs Yarn 1 itself (`yarn --version`); the app then uses its own Yarn 4.
  const yarn1 = path.join(work, 'yarn1');
  sh('npm', ['install', '--prefix', yarn1, '--no-audit', '--no-fund', 'yarn@1'], work, process.env, path.join(logDir, 'tools.log'));
  const registry = execFileSync('npm', ['config', 'get', 'registry'], { encoding: 'utf8' }).trim();
  baseEnv = { ...process.env, PATH: `${path.join(yarn1, 'node_modules', '.bin')}:${path.dirname(process.execPath)}:${process.env.PATH}` };
  delete baseEnv.NODE_ENV; // Jest's `test` is not the app's
  Object.assign(baseEnv, {
    YARN_NPM_REGISTRY_SERVER: registry,
    // Under CI=true Yarn refuses to change a lock file; an adopter's `yarn add` must.
    YARN_ENABLE_IMMUTABLE_INSTALLS: 'false',
    YARN_ENABLE_PROGRESS_BARS: 'false',
    YARN_ENABLE_TELEMETRY: 'false',
    BACKSTAGE_CLI_TELEMETRY: 'false',
    KUBE_TROUBLESHOOT: checkout,
  });
  sandbox = await startSandbox({ workloads: [path.join(repoRoot, 'examples', 'workloads', 'payments-api.yaml')] });
  browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
});

afterAll(async () => {
  await browser?.close().catch(() => undefined);
  for (const b of backends) {
    try {
      process.kill(-b.pid!, 'SIGKILL');
    } catch {
      // gone
    }
  }
  await sandbox?.stop();
  if (process.env.KT_ADOPTER_KEEP) console.log(`kept ${work}`);
  else fs.rmSync(work, { recursive: true, force: true });
});

const entities = `apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: payments-api
  annotations:
    backstage.io/kubernetes-id: payments-api
    backstage.io/kubernetes-namespace: default
spec:
  type: service
  lifecycle: production
  owner: user:development/guest
`;

async function startBackend(appDir: string, shape: AppShape, env: NodeJS.ProcessEnv): Promise<string> {
  const port = await freePort();
  const baseUrl = `http://localhost:${port}`;
  const entitiesFile = path.join(appDir, 'kube-troubleshoot-entities.yaml');
  fs.writeFileSync(entitiesFile, entities);
  // Only what this test needs beyond the README: its port, its entity, the sandbox's tool image.
  const testConfig = path.join(appDir, 'app-config.adopter-test.yaml');
  fs.writeFileSync(
    testConfig,
    JSON.stringify({
      app: { baseUrl },
      backend: { baseUrl, listen: { port }, cors: { origin: baseUrl } },
      catalog: { locations: [{ type: 'file', target: entitiesFile }] },
      kubeTroubleshoot: { debug: { images: [{ name: 'debug-tools', image: 'sandbox.local/debug-tools:1', default: true }] } },
    }),
  );
  const log = path.join(logDir, `${shape}-backend.log`);
  const out = fs.openSync(log, 'w');
  const child = spawn('yarn', ['workspace', 'backend', 'start', '--config', '../../app-config.yaml', '--config', '../../app-config.local.yaml', '--config', testConfig], {
    cwd: appDir,
    env,
    stdio: ['ignore', out, out],
    detached: true,
  });
  fs.closeSync(out);
  backends.push(child);
  await waitFor('the backend', async () => {
    if (child.exitCode !== null) throw new Error(`backend exited:\n${fs.readFileSync(log, 'utf8').slice(-3000)}`);
    return (await fetch(`${baseUrl}/.backstage/health/v1/readiness`)).ok || undefined;
  }, 300_000).catch(e => {
    throw new Error(`${e.message}\n${fs.readFileSync(log, 'utf8').slice(-3000)}`);
  });
  // The catalog reads the entity file after startup: wait for it, as the guest sees it.
  await waitFor('the test entity in the catalog', async () => {
    const session = await fetch(`${baseUrl}/api/auth/guest/refresh?env=development`, { headers: { 'x-requested-with': 'XMLHttpRequest' } });
    if (!session.ok) return undefined;
    const token = ((await session.json()) as { backstageIdentity: { token: string } }).backstageIdentity.token;
    const entity = await fetch(`${baseUrl}/api/catalog/entities/by-name/component/default/payments-api`, { headers: { authorization: `Bearer ${token}` } });
    return entity.ok || undefined;
  }, 120_000);
  return baseUrl;
}

const screen = (page: Page) => page.locator('.xterm-rows').last().innerText();

/**
 * Opens a page of the app, signing in as the guest where the app asks (both scaffolds' sign-in pages
 * ask again on every full load).
 */
async function open(page: Page, url: string) {
  await page.goto(url);
  const enter = page.getByRole('button', { name: /^Enter$/ });
  const sidebar = page.getByRole('link', { name: 'Settings' }).first(); // both scaffolds' sidebars end with it
  await enter.or(sidebar).first().waitFor({ timeout: 120_000 });
  if (await enter.isVisible()) {
    await enter.click();
    await sidebar.waitFor({ timeout: 60_000 });
  }
}

describe.each<[AppShape, string[]]>([
  ['new', []],
  ['legacy', ['--legacy']],
])('a fresh create-app app (%s frontend system)', (shape, flags) => {
  const appDir = path.join(work, `app-${shape}`);
  const log = path.join(logDir, `${shape}.log`);
  let baseUrl: string;

  it('installs, type-checks and builds by the README', () => {
    fs.writeFileSync(log, '');
    sh('npx', ['-y', CREATE_APP, ...flags, '--skip-install', '--path', appDir], work, baseEnv, log, `app-${shape}\n`);
    const pins = pinScaffoldRelease(appDir);
    fs.appendFileSync(log, `\npinned the scaffold's release: ${JSON.stringify(pins)}\n`);
    // The adopter's app as it is before the plugins come: installed, its lock file written.
    sh('yarn', ['install'], appDir, baseEnv, log);
    const before = backstageVersions(appDir);
    const steps = readSteps(fs.readFileSync(path.join(checkout, 'README.md'), 'utf8'));
    const fd = fs.openSync(log, 'a');
    try {
      applySteps(steps, appDir, shape, { ...baseEnv, FORCE_COLOR: '0' }, l => fs.writeSync(fd, `${l}\n`), fd);
    } catch (e) {
      throw new Error(`${(e as Error).message}; see ${log}:\n${fs.readFileSync(log, 'utf8').slice(-4000)}`);
    } finally {
      fs.closeSync(fd);
    }
    // The plugins use the app's copies (ranges, and peers for the packages whose major changed after
    // 1.55): installing them adds no @backstage version the app did not already have.
    const after = backstageVersions(appDir);
    const had = new Set([...before].map(packageName));
    const added = [...after].filter(v => !before.has(v));
    fs.appendFileSync(log, `\n@backstage packages the app did not have before, brought by the plugins: ${added.join(', ') || 'none'}\n`);
    expect(added.filter(v => had.has(packageName(v)))).toEqual([]);
  });

  it('starts, and the guest opens a terminal in the entity they own', async () => {
    const env = { ...baseEnv, K8S_URL: sandbox!.url, K8S_TOKEN: sandbox!.addRbacToken(path.join(checkout, 'examples', 'rbac.yaml')), K8S_CA_DATA: Buffer.from(sandbox!.caData).toString('base64') };
    baseUrl = await startBackend(appDir, shape, env);
    const page = await browser!.newPage({ viewport: { width: 1440, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', e => errors.push(e.message));
    try {
      const pod = sandbox!.cluster.store.list<Pod>('pods', 'default').find(p => p.metadata.name.startsWith('payments-api'))!.metadata.name;
      await open(page, `${baseUrl}/catalog/default/component/payments-api/terminal?pod=${pod}&container=api`);
      // The link asks before it opens a recorded shell.
      await page.getByRole('alert').filter({ hasText: 'Open a new shell there?' }).getByRole('button', { name: 'Open terminal' }).click({ timeout: 120_000 });
      await page.locator('.xterm-rows').waitFor({ timeout: 120_000 });
      await page.getByText(/Connected · (bash|sh)\b/).waitFor({ timeout: 60_000 });
      await page.locator('.xterm').first().click();
      await page.keyboard.type('echo adopter-$((6*7))');
      await page.keyboard.press('Enter');
      await waitFor('the echo', async () => (/^adopter-42\s*$/m.test(await screen(page)) ? true : undefined), 30_000);
      await page.screenshot({ path: path.join(logDir, `${shape}-terminal.png`) });
    } catch (e) {
      await page.screenshot({ path: path.join(logDir, `${shape}-failure.png`) }).catch(() => undefined);
      throw new Error(`${(e as Error).message}\npage errors: ${errors.join('\n') || 'none'}\nbackend log: ${path.join(logDir, `${shape}-backend.log`)}`);
    } finally {
      await page.close();
    }
  });

  it('shows the Logs, Events and Debug tabs and the recordings page from the sidebar', async () => {
    const page = await browser!.newPage({ viewport: { width: 1440, height: 900 } });
    try {
      await open(page, `${baseUrl}/catalog/default/component/payments-api/logs`);
      await page.getByText(/payment settled/).first().waitFor({ timeout: 60_000 });
      await open(page, `${baseUrl}/catalog/default/component/payments-api/events`);
      await page.getByText(/is running and ready/).first().waitFor({ timeout: 60_000 });
      await page.getByText('Started container api').first().waitFor({ timeout: 10_000 });
      await open(page, `${baseUrl}/catalog/default/component/payments-api/debug`);
      await page.getByRole('button', { name: 'Start', exact: true }).click({ timeout: 60_000 });
      await page.getByText(/Connected · debug container/).waitFor({ timeout: 60_000 });
      await page.locator('.xterm').first().click();
      await page.keyboard.type('echo debug-$((6*7))');
      await page.keyboard.press('Enter');
      await waitFor('the debug echo', async () => (/^debug-42\s*$/m.test(await screen(page)) ? true : undefined), 60_000);
      await page.getByRole('link', { name: 'Recordings', exact: true }).click();
      await page.getByTitle('user:development/guest').first().waitFor({ timeout: 60_000 });
      await page.screenshot({ path: path.join(logDir, `${shape}-recordings.png`) });
    } catch (e) {
      await page.screenshot({ path: path.join(logDir, `${shape}-tabs-failure.png`) }).catch(() => undefined);
      throw e;
    } finally {
      await page.close();
    }
  });
});
