import fs from 'node:fs';
import path from 'node:path';
import { BrowserContext, Page } from 'playwright-core';
import { Pod, Sandbox, startSandbox } from '@internal/sandbox-cluster';
import { repoRoot, screenshotDir, waitFor, workloadsDir } from '../support/tools';
import { chromiumPath, newPage, Portal, shown, signIn, startPortal, stopPortal } from '../support/portal';

/**
 * The Terminal tab in real Chromium against the example portal and a sandbox cluster: alice opens
 * a shell in payments-api, types, resizes the window, exits, and replays the recording; bob is
 * refused payments-api.
 */
jest.setTimeout(420_000);

const describeIf = chromiumPath ? describe : describe.skip;

let sandbox: Sandbox | undefined;
let portal: Portal | undefined;
const contexts: BrowserContext[] = [];

async function pageFor(user: string, viewport = { width: 1440, height: 900 }): Promise<Page> {
  const { context, page } = await newPage(portal!, viewport);
  contexts.push(context);
  await signIn(portal!, page, user);
  return page;
}

/** The text of the terminal's screen (xterm's DOM renderer keeps it in rows). */
const screenText = (page: Page, scope = page.locator('body')) => scope.locator('.xterm-rows').last().innerText();

async function waitForScreen(page: Page, what: RegExp, scope?: ReturnType<Page['locator']>) {
  return waitFor(`the terminal to show ${what}`, async () => {
    const text = (await screenText(page, scope)).replace(/\u00a0/g, ' ');
    return what.test(text) ? text : undefined;
  }, 30_000);
}

describeIf('Terminal tab in Chromium', () => {
  beforeAll(async () => {
    sandbox = await startSandbox({ workloads: [workloadsDir] });
    portal = await startPortal({
      name: 'terminal',
      config: {
        kubeTroubleshoot: {
          clusters: [{ name: 'sandbox', url: sandbox.url, caData: sandbox.caData, serviceAccountToken: sandbox.addRbacToken(path.join(repoRoot, 'examples', 'rbac.yaml')) }],
        },
      },
    });
    fs.mkdirSync(screenshotDir, { recursive: true });
    await waitFor('payments-api to run', () =>
      sandbox!.cluster.store.list<Pod>('pods', 'default').some(p => p.metadata.name.startsWith('payments-api') && p.status?.containerStatuses?.every(s => 'running' in s.state)) || undefined,
    );
  });

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await stopPortal(portal);
    await sandbox?.stop();
  });

  it('alice opens a shell, types, resizes the window, exits, and replays the recording', async () => {
    const p = portal!;
    const page = await pageFor('alice');
    await page.goto(`${p.baseUrl}/catalog/default/component/payments-api`);
    const tab = page.getByRole('link', { name: 'Terminal', exact: true });
    await shown(p, tab, 'the Terminal tab', 60_000);
    await tab.click();
    await page.waitForURL(/\/component\/payments-api\/terminal/);
    // Pick the api container of the payments-api pod, then open a terminal.
    const podName = sandbox!.cluster.store.list<Pod>('pods', 'default').find(x => x.metadata.name.startsWith('payments-api'))!.metadata.name;
    await page.goto(`${p.baseUrl}/catalog/default/component/payments-api/terminal?pod=${podName}&container=api`);
    await shown(p, page.locator('.xterm-rows'), 'the terminal', 60_000);
    await shown(p, page.getByText(/Connected · bash or sh/), 'the connected status', 30_000);
    await page.locator('.xterm').first().click();
    await page.keyboard.type('echo hel""lo; echo size1 $(stty size)');
    await page.keyboard.press('Enter');
    const first = await waitForScreen(page, /^hello\s*\nsize1 (\d+) (\d+)\s*$/m);
    const [, rows1, cols1] = /^hello\s*\nsize1 (\d+) (\d+)\s*$/m.exec(first)!;
    await page.screenshot({ path: path.join(screenshotDir, 'terminal-tab.png') });

    // A narrower, shorter window: the terminal follows, and so does the shell's idea of its size.
    await page.setViewportSize({ width: 1000, height: 700 });
    await page.waitForTimeout(500);
    await page.locator('.xterm').first().click();
    await page.keyboard.type('echo size2 $(stty size)');
    await page.keyboard.press('Enter');
    const second = await waitForScreen(page, /^size2 (\d+) (\d+)\s*$/m);
    const [, rows2, cols2] = /^size2 (\d+) (\d+)\s*$/m.exec(second)!;
    expect(Number(cols2)).toBeLessThan(Number(cols1));
    expect(Number(rows2)).toBeLessThan(Number(rows1));

    await page.keyboard.type('exit 3');
    await page.keyboard.press('Enter');
    await shown(p, page.getByRole('status').filter({ hasText: 'The shell exited with code 3' }), 'the exit status', 30_000);
    await shown(p, page.getByRole('button', { name: 'Reconnect' }), 'the reconnect button', 5_000);

    // The recording of that session, replayed.
    await page.setViewportSize({ width: 1440, height: 900 });
    // The recording is complete once the list shows how the session ended (its last chunk is stored then).
    await waitFor('the recording to be complete', async () => {
      await page.getByRole('button', { name: 'Refresh' }).first().click().catch(() => undefined);
      await page.waitForTimeout(300);
      return (await page.getByRole('cell', { name: 'exit (3)' }).count()) ? true : undefined;
    }, 30_000);
    const replay = page.getByRole('button', { name: /^Replay the session of user:default\/alice on payments-api/ }).first();
    await shown(p, replay, 'a recording to replay', 30_000);
    await replay.click();
    const dialog = page.getByRole('dialog');
    await shown(p, dialog, 'the replay', 10_000);
    await dialog.getByRole('button', { name: '8x' }).click();
    await waitForScreen(page, /hello/, dialog);
    await waitFor('the replay to finish', async () => ((await dialog.getByRole('button', { name: 'Play' }).count()) ? true : undefined), 30_000);
    // xterm draws what it was given a moment later: wait for the last output rather than read at once.
    const replayed = await waitForScreen(page, /exit 3/, dialog);
    expect(replayed).toContain('exit 3');
    await page.screenshot({ path: path.join(screenshotDir, 'terminal-replay.png') });
  });

  it('bob is refused a terminal on payments-api, with its owner named', async () => {
    const p = portal!;
    const page = await pageFor('bob');
    await page.goto(`${p.baseUrl}/catalog/default/component/payments-api/terminal`);
    await shown(p, page.getByText('You cannot see the terminal of payments-api'), 'the denial', 60_000);
    await shown(p, page.getByText(/owned by team-payments/), 'the owner', 5_000);
    expect(await page.locator('.xterm').count()).toBe(0);
  });
});
