import fs from 'node:fs';
import path from 'node:path';
import { BrowserContext, Page } from 'playwright-core';
import { Pod, Sandbox, startSandbox } from '@internal/sandbox-cluster';
import { repoRoot, screenshotDir, waitFor, workloadsDir } from '../support/tools';
import { chromiumPath, newPage, Portal, shown, signIn, startPortal, stopPortal } from '../support/portal';

/**
 * The Debug tab in real Chromium: alice attaches a tool container to payments-api's distroless
 * ledger and sees its processes and files; bob debugs a copy of his crash-looping search-indexer
 * and runs its command by hand; each is refused the other's service.
 */
jest.setTimeout(420_000);

const describeIf = chromiumPath ? describe : describe.skip;

let sandbox: Sandbox | undefined;
let portal: Portal | undefined;
const contexts: BrowserContext[] = [];

async function pageFor(user: string): Promise<Page> {
  const { context, page } = await newPage(portal!, { width: 1440, height: 1000 });
  contexts.push(context);
  await signIn(portal!, page, user);
  return page;
}

const screenText = async (page: Page) => ((await page.locator('.xterm-rows').last().innerText()) ?? '').replace(/\u00a0/g, ' ');
const waitForScreen = (page: Page, what: RegExp) =>
  waitFor(`the terminal to show ${what}`, async () => {
    const text = await screenText(page);
    return what.test(text) ? text : undefined;
  }, 30_000);

const podOf = (prefix: string) => sandbox!.cluster.store.list<Pod>('pods', 'default').find(p => p.metadata.name.startsWith(prefix) && !p.metadata.labels?.['kube-troubleshoot.io/fork-of']);

describeIf('Debug tab in Chromium', () => {
  beforeAll(async () => {
    sandbox = await startSandbox({ workloads: [workloadsDir], backoffBaseMs: 1000 });
    portal = await startPortal({
      name: 'debug',
      config: { kubeTroubleshoot: { clusters: [{ name: 'sandbox', url: sandbox.url, caData: sandbox.caData, serviceAccountToken: sandbox.addRbacToken(path.join(repoRoot, 'examples', 'rbac.yaml')) }] } },
    });
    fs.mkdirSync(screenshotDir, { recursive: true });
    await waitFor('payments-api to run', () => podOf('payments-api')?.status?.containerStatuses?.every(s => 'running' in s.state) || undefined);
  });

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await stopPortal(portal);
    await sandbox?.stop();
  });

  it("alice attaches a tool container to payments-api's distroless ledger and sees its processes and files", async () => {
    const p = portal!;
    const page = await pageFor('alice');
    const pod = podOf('payments-api')!.metadata.name;
    await page.goto(`${p.baseUrl}/catalog/default/component/payments-api/debug?pod=${pod}&container=ledger`);
    await shown(p, page.getByRole('button', { name: 'Start', exact: true }), 'the Start button', 60_000);
    await page.getByRole('button', { name: 'Start', exact: true }).click();
    await shown(p, page.getByText(/Added debugger-\w{5} \(sandbox\.local\/debug-tools:1, profile general\)/), 'the debug container note', 60_000);
    await shown(p, page.locator('.xterm-rows'), 'the terminal', 30_000);
    // The prompt shows by itself: nothing typed yet.
    await waitForScreen(page, /[#$]\s*$/);
    await page.locator('.xterm').first().click();
    await page.keyboard.type('ps -eo pid,args; ls /proc/1/root/app');
    await page.keyboard.press('Enter');
    const screen = await waitForScreen(page, /node\s+server\.js/);
    expect(screen).toMatch(/^\s*1 \/app\/node \/app\/server\.js\s*$/m);
    await page.screenshot({ path: path.join(screenshotDir, 'debug-tab.png') });

    // Start again: a second terminal (with a tool container of its own) opens beside the first, and the first goes on.
    const first = (await page.getByText(/Added debugger-\w{5}/).first().innerText()).match(/debugger-\w{5}/)![0];
    await page.getByRole('button', { name: 'Start', exact: true }).click();
    await waitFor('the second session', async () => ((await page.getByText(/Added debugger-\w{5}/).count()) === 2 ? true : undefined), 60_000);
    expect(await page.getByText(/Added debugger-\w{5}/).last().innerText()).not.toContain(first);
    await waitFor('two terminals', async () => ((await page.locator('.xterm').count()) === 2 ? true : undefined), 30_000);
    await page.locator('.xterm').first().click();
    await page.keyboard.type('echo first-$((6*7))');
    await page.keyboard.press('Enter');
    await waitFor('the first terminal to answer', async () => (/first-42/.test(await page.locator('.xterm-rows').first().innerText()) ? true : undefined), 30_000);
    await page.screenshot({ path: path.join(screenshotDir, 'debug-two-sessions.png'), fullPage: true });

    // A download of a missing path says so, before any byte.
    await page.getByLabel('A file or folder of ledger').fill('/app/missing.js');
    await page.getByRole('button', { name: 'Download', exact: true }).click();
    await shown(p, page.getByRole('alert').filter({ hasText: 'Could not download /app/missing.js: /app/missing.js in container ledger' }), 'the download error', 60_000);
    await expect(page.getByRole('alert').filter({ hasText: 'does not exist' }).count()).resolves.toBe(1);
  });

  it('alice is told why Start cannot run on a pod that never started, and a copy that cannot start leaves only its reason', async () => {
    const p = portal!;
    const page = await pageFor('alice');
    await page.goto(`${p.baseUrl}/catalog/default/component/payments-api/debug?pod=reports-legacy&container=reports`);
    await shown(p, page.getByText(/Start needs reports running; it is (ErrImagePull|ImagePullBackOff)/), 'the reason Start is disabled', 60_000);
    expect(await page.getByRole('button', { name: 'Start', exact: true }).isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Debug a copy', exact: true }).click();
    await shown(p, page.getByText(/Could not start copy of reports-legacy\/reports: the copy reports-legacy-debug-\w+ did not start/), 'the failed copy', 90_000);
    expect(await page.locator('.xterm').count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Reconnect' }).count()).toBe(0);
    await page.screenshot({ path: path.join(screenshotDir, 'debug-failed-copy.png') });
  });

  it('bob debugs a copy of his crash-looping search-indexer and runs its command by hand', async () => {
    const p = portal!;
    await waitFor('search-indexer to crash-loop', () =>
      (podOf('search-indexer')?.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1 ? true : undefined,
    );
    const page = await pageFor('bob');
    await page.goto(`${p.baseUrl}/catalog/default/component/search-indexer/debug`);
    const banner = page.getByText(/indexer in search-indexer-\S+ is crash-looping/);
    await shown(p, banner, 'the crash-loop banner', 60_000);
    // The tab opens on the pod that can be debugged, not on the one no node takes.
    expect(await page.locator('.MuiSelect-select').first().innerText()).toMatch(/search-indexer-/);
    await page.getByRole('alert').filter({ hasText: 'crash-looping' }).getByRole('button', { name: 'Debug a copy' }).click();
    await shown(p, page.getByText('Its command was:'), 'the copy note', 60_000);
    await shown(p, page.getByRole('button', { name: 'Copy the command' }), 'the copy button', 10_000);
    await shown(p, page.locator('.xterm-rows'), 'the terminal', 30_000);
    await page.locator('.xterm').first().click();
    await page.keyboard.type(`sh -c 'echo "search-indexer v2.3.1 starting"; echo "ERROR: connection refused: opensearch:9200" >&2; exit 1'; echo rc=$?`);
    await page.keyboard.press('Enter');
    const screen = await waitForScreen(page, /rc=1/);
    expect(screen).toContain('ERROR: connection refused: opensearch:9200');
    await shown(p, page.getByRole('button', { name: /^Delete the copy search-indexer-/ }), 'the copy in the list', 30_000);
    await page.screenshot({ path: path.join(screenshotDir, 'debug-fork.png') });
    // Closing the tab's terminal (leaving the page) ends the session: the copy goes.
    const copies = () => sandbox!.cluster.store.list<Pod>('pods', 'default').filter(x => x.metadata.labels?.['kube-troubleshoot.io/fork-of']);
    expect(copies()).toHaveLength(1);
    await page.goto(`${p.baseUrl}/catalog/default/component/search-indexer`);
    await waitFor('the copy to be deleted', () => (copies().length === 0 ? true : undefined), 30_000);
  });

  it('alice is refused search-indexer and bob payments-api', async () => {
    const p = portal!;
    const alice = await pageFor('alice');
    await alice.goto(`${p.baseUrl}/catalog/default/component/search-indexer/debug`);
    await shown(p, alice.getByText('You cannot see the debug tools of search-indexer'), "alice's denial", 60_000);
    const bob = await pageFor('bob');
    await bob.goto(`${p.baseUrl}/catalog/default/component/payments-api/debug`);
    await shown(p, bob.getByText('You cannot see the debug tools of payments-api'), "bob's denial", 60_000);
    expect(await bob.getByRole('button', { name: 'Start', exact: true }).count()).toBe(0);
  });
});
