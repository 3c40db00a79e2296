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
  fs.rmSync(work, { recursive: true, force: true });
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
  return baseUrl;
}

const screen = (page: Page) => page.locator('.xterm-rows').last().innerText();

async function signInAsGuest(page: Page, baseUrl: string) {
  await page.goto(baseUrl);
  const enter = page.getByRole('button', { name: /^Enter$/ });
  await enter.waitFor({ timeout: 120_000 }).catch(() => undefined); // the legacy app signs the guest in by itself
  if (await enter.count()) await enter.click();
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
    const steps = readSteps(fs.readFileSync(path.join(checkout, 'README.md'), 'utf8'));
    const fd = fs.openSync(log, 'a');
    try {
      applySteps(steps, appDir, shape, { ...baseEnv, FORCE_COLOR: '0' }, l => fs.writeSync(fd, `${l}\n`), fd);
    } catch (e) {
      throw new Error(`${(e as Error).message}; see ${log}:\n${fs.readFileSync(log, 'utf8').slice(-4000)}`);
    } finally {
      fs.closeSync(fd);
    }
    // One copy of the model every package shares: ranges, not pins that nest copies.
    const lock = fs.readFileSync(path.join(appDir, 'yarn.lock'), 'utf8');
    expect(lock.match(/^"@backstage\/catalog-model@/gm)).toHaveLength(1);
  });

  it('starts, and the guest opens a terminal in the entity they own', async () => {
    const env = { ...baseEnv, K8S_URL: sandbox!.url, K8S_TOKEN: sandbox!.addRbacToken(path.join(checkout, 'examples', 'rbac.yaml')), K8S_CA_DATA: Buffer.from(sandbox!.caData).toString('base64') };
    baseUrl = await startBackend(appDir, shape, env);
    const page = await browser!.newPage({ viewport: { width: 1440, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', e => errors.push(e.message));
    try {
      await signInAsGuest(page, baseUrl);
      const pod = sandbox!.cluster.store.list<Pod>('pods', 'default').find(p => p.metadata.name.startsWith('payments-api'))!.metadata.name;
      await page.goto(`${baseUrl}/catalog/default/component/payments-api/terminal?pod=${pod}&container=api`);
      await page.locator('.xterm-rows').waitFor({ timeout: 120_000 });
      await page.getByText(/Connected · bash or sh/).waitFor({ timeout: 60_000 });
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

  if (shape === 'legacy') {
    it('shows the Logs, Events and Debug tabs and the recordings page from the sidebar', async () => {
      const page = await browser!.newPage({ viewport: { width: 1440, height: 900 } });
      try {
        await signInAsGuest(page, baseUrl);
        await page.goto(`${baseUrl}/catalog/default/component/payments-api/logs`);
        await page.getByText('payments-api starting on :8080').first().waitFor({ timeout: 60_000 });
        await page.goto(`${baseUrl}/catalog/default/component/payments-api/events`);
        await page.getByText(/payments-api-/).first().waitFor({ timeout: 60_000 });
        await page.goto(`${baseUrl}/catalog/default/component/payments-api/debug`);
        await page.getByRole('button', { name: 'Start' }).first().click({ timeout: 60_000 });
        await page.locator('.xterm').first().waitFor({ timeout: 60_000 });
        await page.locator('.xterm').first().click();
        await page.keyboard.type('echo debug-$((6*7))');
        await page.keyboard.press('Enter');
        await waitFor('the debug echo', async () => (/^debug-42\s*$/m.test(await screen(page)) ? true : undefined), 60_000);
        await page.getByRole('link', { name: 'Recordings' }).click();
        await page.getByText('user:development/guest').first().waitFor({ timeout: 60_000 });
        await page.screenshot({ path: path.join(logDir, 'legacy-recordings.png') });
      } catch (e) {
        await page.screenshot({ path: path.join(logDir, 'legacy-tabs-failure.png') }).catch(() => undefined);
        throw e;
      } finally {
        await page.close();
      }
    });
  }
});
