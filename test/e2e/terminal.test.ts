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

/** Signs `user` in and opens a terminal on payments-api's Terminal tab; resolves once it is connected. */
async function openTerminalAs(user: string): Promise<Page> {
  const p = portal!;
  const page = await pageFor(user);
  await page.goto(`${p.baseUrl}/catalog/default/component/payments-api/terminal`);
  await shown(p, page.getByRole('button', { name: 'Open terminal' }), 'the Open terminal button', 60_000);
  await page.getByRole('button', { name: 'Open terminal' }).click();
  await shown(p, page.getByText(/Connected · (bash|sh)\b/), 'the connected status', 30_000);
  return page;
}

/**
 * Opens one of payments-api's tabs by clicking it. Two fresh CI runs saw a click on Events navigate
 * nowhere for 30 s (cause not found; never reproduced alone, even under CPU load): it is tried once
 * more, said in the log, and a second miss fails with a screenshot and the page's URL.
 */
async function switchTab(page: Page, tab: 'Logs' | 'Events') {
  const url = new RegExp(`/payments-api/${tab.toLowerCase()}`);
  for (let attempt = 1; ; attempt++) {
    await page.getByRole('link', { name: tab, exact: true }).click();
    try {
      await page.waitForURL(url, { timeout: 15_000 });
      return;
    } catch (e) {
      if (attempt === 2) {
        await page.screenshot({ path: path.join(screenshotDir, 'tab-switch-failed.png') });
        throw new Error(`${(e as Error).message}; the page is at ${page.url()}`);
      }
      console.warn(`the ${tab} tab did not open on the first click (the page is at ${page.url()}): clicking again`);
    }
  }
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
      cuttable: true,
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
    // A link asks before it opens a recorded shell.
    const ask = page.getByRole('alert').filter({ hasText: `This link is to ${podName}/api. Open a new shell there?` });
    await shown(p, ask, 'the question of the link', 60_000);
    expect(await page.locator('.xterm-rows').count()).toBe(0);
    await ask.getByRole('button', { name: 'Open terminal' }).click();
    await shown(p, page.locator('.xterm-rows'), 'the terminal', 60_000);
    await shown(p, page.getByText(/Connected · (bash|sh)\b/), 'the connected status', 30_000);
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
    // The list refreshes by itself when the session ends: no click on Refresh.
    await waitFor('the recording to be complete', async () => ((await page.getByRole('cell', { name: 'exited (code 3)' }).count()) ? true : undefined), 30_000);
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
    // The .cast file asciinema plays: the header, then the session's output as it was.
    const [download] = await Promise.all([page.waitForEvent('download'), dialog.getByRole('button', { name: 'Download the recording as a .cast file' }).click()]);
    expect(download.suggestedFilename()).toMatch(new RegExp(`^${podName}-api-.*\\.cast$`));
    const cast = fs.readFileSync((await download.path())!, 'utf8').split('\n');
    expect(JSON.parse(cast[0])).toMatchObject({ version: 2 });
    expect(cast.slice(1).join('\n')).toContain('size1');
    await dialog.getByRole('button', { name: 'Close the replay' }).click();
    // alice sees only her sessions, and the list says so.
    expect(await page.getByText('Recordings (your sessions)').count()).toBe(1);
  });

  it('keeps a terminal across tab switches, lists it in the dock, reattaches after the connection is cut, and after a reload', async () => {
    const p = portal!;
    const page = await openTerminalAs('alice');
    await page.locator('.xterm').first().click();
    await page.keyboard.type('export KT_KEEP=still-$((6*7)); echo marked-$((1+1))');
    await page.keyboard.press('Enter');
    await waitForScreen(page, /^marked-2\s*$/m);

    // Logs, then Events: the terminal keeps running, and the dock lists it with its pod.
    await switchTab(page, 'Logs');
    const dock = page.getByRole('region', { name: 'Open terminals' });
    await shown(p, dock.getByRole('button', { name: /Open terminals: 1 running/ }), 'the session dock', 10_000);
    // As a user would, once the Logs tab shows its lines.
    await shown(p, page.getByTestId('log-line').first(), 'the Logs tab', 30_000);
    await switchTab(page, 'Events');
    await dock.getByRole('button', { name: /Open terminals/ }).click();
    const row = dock.getByTestId('dock-session');
    await shown(p, row.filter({ hasText: /payments-api-.*\/api/ }), 'the session in the dock', 10_000);
    expect(await row.innerText()).toMatch(/payments-api · sandbox · just now · running/);
    await page.screenshot({ path: path.join(screenshotDir, 'terminal-dock.png') });
    // Back through the dock: the same screen, the same shell.
    await row.getByRole('link').click();
    await page.waitForURL(/\/payments-api\/terminal\?session=/);
    await waitForScreen(page, /^marked-2\s*$/m);
    await page.locator('.xterm').first().click();
    await page.keyboard.type('echo "<$KT_KEEP>"');
    await page.keyboard.press('Enter');
    await waitForScreen(page, /^<still-42>\s*$/m);

    // The network drops every connection: the browser reattaches to the same shell.
    expect(p.proxy!.cut()).toBeGreaterThan(0);
    await shown(p, page.getByText(/Connected · (bash|sh)\b/), 'the connected status again', 30_000);
    await page.locator('.xterm').first().click();
    await page.keyboard.type('echo "after-cut <$KT_KEEP>"');
    await page.keyboard.press('Enter');
    await waitForScreen(page, /^after-cut <still-42>\s*$/m);
    expect(await page.getByRole('button', { name: 'Reconnect' }).count()).toBe(0);

    // A reload: the session comes back with its screen, without asking for a new shell.
    await page.reload();
    await shown(p, page.getByText(/Connected · (bash|sh)\b/), 'the connected status after the reload', 60_000);
    await waitForScreen(page, /^after-cut <still-42>\s*$/m);
    await page.locator('.xterm').first().click();
    await page.keyboard.type('echo "reloaded <$KT_KEEP>"');
    await page.keyboard.press('Enter');
    await waitForScreen(page, /^reloaded <still-42>\s*$/m);
    // Closing it ends it: the dock empties.
    await page.getByRole('button', { name: /^Close the terminal of payments-api-.*\/api$/ }).first().click();
    await waitFor('the dock to empty', async () => ((await dock.count()) === 0 ? true : undefined), 10_000);
  });

  it('alice shares her session: the admin watches her typing live, read-only, and ends it', async () => {
    const p = portal!;
    const alice = await openTerminalAs('alice');
    await alice.getByRole('button', { name: 'Share' }).click();
    await shown(p, alice.getByRole('button', { name: 'Stop sharing' }), 'sharing on', 10_000);

    const admin = await pageFor('admin');
    await admin.goto(`${p.baseUrl}/catalog/default/component/payments-api/terminal`);
    const panel = admin.getByRole('region', { name: 'Shared live sessions' });
    await shown(p, panel.getByText(/alice on payments-api-.*\/api/), 'alice\'s shared session', 30_000);
    await panel.getByRole('button', { name: /Watch the session of user:default\/alice/ }).click();
    await shown(p, admin.getByText(/Watching alice · (bash|sh)\b/), 'the watcher status', 30_000);
    await shown(p, alice.getByTestId('watchers').filter({ hasText: 'Watched by admin' }), 'the watcher shown to alice', 10_000);

    await alice.locator('.xterm').first().click();
    await alice.keyboard.type('echo live-$((5*5))');
    await alice.keyboard.press('Enter');
    await waitForScreen(admin, /^live-25\s*$/m);
    // What the watcher types goes nowhere.
    await admin.locator('.xterm').first().click();
    await admin.keyboard.type('echo intruder');
    await admin.keyboard.press('Enter');
    await admin.screenshot({ path: path.join(screenshotDir, 'terminal-watch.png') });
    expect(await screenText(alice)).not.toContain('intruder');

    await admin.getByRole('button', { name: 'End session' }).click();
    await shown(p, alice.getByRole('status').filter({ hasText: 'Ended by a platform admin: ended by user:default/admin' }), 'the end shown to alice', 10_000);
    await shown(p, admin.getByRole('status').filter({ hasText: 'Ended by a platform admin' }), 'the end shown to the admin', 10_000);
  });

  it('the command index: alice jumps through her commands beside the replay; the admin finds who ran rm -rf across recordings', async () => {
    const p = portal!;
    const alice = await openTerminalAs('alice');
    await waitForScreen(alice, /[#$]\s*$/);
    const rows = Number(/^rows-(\d+)\s*$/m.exec(await (async () => {
      await alice.locator('.xterm').first().click();
      await alice.keyboard.type('echo rows-$(tput lines 2>/dev/null || stty size | cut -d" " -f1)');
      await alice.keyboard.press('Enter');
      return waitForScreen(alice, /^rows-\d+\s*$/m);
    })())![1]);
    const lines = ['echo index-$((6*7))', 'mkdir -p /tmp/kt-e2e && rm -rf /tmp/kt-e2e', 'ls /nope-e2e'];
    const answers = [/^index-42\s*$/m, /rm -rf \/tmp\/kt-e2e\s*\n.*[#$]\s*$/, /nope-e2e'?: No such file/];
    for (const [i, line] of lines.entries()) {
      await alice.keyboard.type(line);
      await alice.keyboard.press('Enter');
      await waitForScreen(alice, answers[i]);
    }
    await alice.keyboard.type('exit');
    await alice.keyboard.press('Enter');
    await shown(p, alice.getByRole('status').filter({ hasText: 'The shell exited with code 2' }), 'the exit status', 30_000);
    await waitFor('the recording to be complete', async () => {
      await alice.getByRole('button', { name: 'Refresh' }).first().click().catch(() => undefined);
      return (await alice.getByRole('cell', { name: 'exited (code 2)' }).count()) ? true : undefined;
    }, 30_000);
    await alice.getByRole('button', { name: /^Replay the session of user:default\/alice on payments-api/ }).first().click();
    const dialog = alice.getByRole('dialog');
    const index = dialog.getByRole('navigation', { name: 'Commands run in the session' });
    await shown(p, index.getByText('Commands (5)'), 'the command index', 30_000);
    // Each command as bash named it, with how it ended.
    expect((await index.getByRole('button').allInnerTexts()).map(t => t.replace(/\s+/g, ' ').trim())).toEqual([
      expect.stringMatching(/^0:\d\d ok echo rows-/),
      expect.stringMatching(/^0:\d\d ok echo index-\$\(\(6\*7\)\)$/),
      expect.stringMatching(/^0:\d\d ok mkdir -p \/tmp\/kt-e2e && rm -rf \/tmp\/kt-e2e$/),
      expect.stringMatching(/^0:\d\d exit 2 ls \/nope-e2e$/),
      expect.stringMatching(/^0:\d\d exit 2 exit$/),
    ]);
    // A jump shows the screen at that command, paused there.
    const jump = index.getByRole('button', { name: /: ls \/nope-e2e$/ });
    await jump.click();
    await waitForScreen(alice, /index-42[\s\S]*ls \/nope-e2e/, dialog);
    expect(await jump.getAttribute('aria-current')).toBe('step');
    expect(await dialog.getByRole('button', { name: 'Play', exact: true }).count()).toBe(1);
    // Every row of the recording is in the dialog at 1440x900 (the replay is scaled to fit).
    const screenBox = (await dialog.locator('.xterm-screen').boundingBox())!;
    const dialogBox = (await dialog.boundingBox())!;
    expect(await dialog.locator('.xterm-rows > div').count()).toBe(rows);
    expect(screenBox.y + screenBox.height).toBeLessThanOrEqual(Math.min(dialogBox.y + dialogBox.height, 900) + 1);
    await alice.screenshot({ path: path.join(screenshotDir, 'terminal-commands.png') });

    // The admin searches every recording by command text, from the sidebar's Recordings page.
    const admin = await pageFor('admin');
    await admin.goto(`${p.baseUrl}/catalog`);
    await admin.getByRole('link', { name: 'Recordings', exact: true }).click();
    await admin.getByLabel('Command').fill('RM -RF');
    await admin.getByLabel('Production').click();
    await admin.getByRole('option', { name: 'not production' }).click();
    const match = admin.getByRole('button', { name: /^Replay payments-api-\S+\/api from 0:\d\d: mkdir -p \/tmp\/kt-e2e && rm -rf \/tmp\/kt-e2e$/ });
    await shown(p, match, "alice's rm -rf among the recordings", 30_000);
    expect(await admin.getByRole('cell', { name: 'alice', exact: true }).count()).toBeGreaterThan(0);
    // Only sessions that ran it are listed.
    expect(await admin.getByRole('button', { name: /^Replay the session of/ }).count()).toBe(await admin.getByRole('button', { name: /^Replay payments-api-\S+\/api from/ }).count());
    await admin.screenshot({ path: path.join(screenshotDir, 'recordings-search.png') });
    await match.first().click();
    const replay = admin.getByRole('dialog').getByRole('navigation', { name: 'Commands run in the session' });
    await shown(p, replay.getByRole('button', { name: /: mkdir -p \/tmp\/kt-e2e && rm -rf \/tmp\/kt-e2e$/ }).and(admin.locator('[aria-current="step"]')), 'the replay opened at the match', 30_000);
    await waitForScreen(admin, /index-42[\s\S]*rm -rf \/tmp\/kt-e2e/, admin.getByRole('dialog'));
  });

  it('terminal polish: the shell named, bottom rows on screen, paste once, text size, scrollback search, full screen, the distroless message once', async () => {
    const p = portal!;
    const { context, page } = await newPage(p, { width: 1440, height: 900 });
    contexts.push(context);
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: p.baseUrl });
    await signIn(p, page, 'alice');
    const podName = sandbox!.cluster.store.list<Pod>('pods', 'default').find(x => x.metadata.name.startsWith('payments-api'))!.metadata.name;
    await page.goto(`${p.baseUrl}/catalog/default/component/payments-api/terminal?pod=${podName}&container=api`);
    await page.getByRole('alert').filter({ hasText: 'Open a new shell there?' }).getByRole('button', { name: 'Open terminal' }).click({ timeout: 60_000 });
    // The status says which shell runs, not which it might be.
    await shown(p, page.getByText(/^Connected · bash$/), 'the shell named', 30_000);
    // The bottom rows are on screen.
    const box = await page.getByTestId('terminal-screen').boundingBox();
    expect(box!.y + box!.height).toBeLessThanOrEqual(900);
    await page.locator('.xterm').first().click();
    await page.keyboard.type('for i in $(seq 1 80); do echo line-$i; done');
    await page.keyboard.press('Enter');
    await waitForScreen(page, /^line-80\s*$/m);

    // Ctrl+Shift+V pastes once.
    await page.evaluate(() => navigator.clipboard.writeText('echo pasted-$((3*3))'));
    await page.locator('.xterm').first().click();
    await page.keyboard.press('Control+Shift+V');
    // The paste reads the clipboard first: Enter once the command line has it.
    await waitForScreen(page, /echo pasted-\$\(\(3\*3\)\)\s*$/m);
    await page.keyboard.press('Enter');
    const pasted = await waitForScreen(page, /^pasted-9/m);
    expect(pasted).toMatch(/^pasted-9\s*$/m);
    expect(pasted).not.toMatch(/\)\)echo pasted/);

    // Larger text: fewer columns in the same box.
    const colsBefore = await page.locator('.xterm-rows').last().evaluate(el => getComputedStyle(el).fontSize);
    await page.getByRole('button', { name: 'Larger text' }).click();
    await waitFor('the larger text', async () => ((await page.locator('.xterm-rows').last().evaluate(el => getComputedStyle(el).fontSize)) !== colsBefore ? true : undefined), 5_000);
    await page.locator('.xterm').first().click();
    await page.keyboard.type('echo cols=$(tput cols)');
    await page.keyboard.press('Enter');
    const bigger = Number(/^cols=(\d+)\s*$/m.exec(await waitForScreen(page, /^cols=\d+\s*$/m))![1]);
    await page.getByRole('button', { name: 'Smaller text' }).click();

    // Search the scrollback: line-3 has scrolled out of view; the match is selected.
    await page.getByRole('textbox', { name: 'Search the scrollback' }).fill('line-3');
    await page.getByRole('textbox', { name: 'Search the scrollback' }).press('Enter');
    await waitFor('the match selected', async () => ((await page.locator('.xterm-selection div').count()) > 0 ? true : undefined), 5_000);

    // Full screen: the terminal takes the window, and its shell sees more columns.
    await page.getByRole('button', { name: 'Full screen' }).click();
    const full = await page.getByTestId('terminal-session').boundingBox();
    expect(full).toMatchObject({ x: 0, y: 0, width: 1440, height: 900 });
    await page.locator('.xterm').first().click();
    await page.keyboard.type('echo fullcols=$(tput cols)');
    await page.keyboard.press('Enter');
    const fullCols = Number(/^fullcols=(\d+)\s*$/m.exec(await waitForScreen(page, /^fullcols=\d+\s*$/m))![1]);
    expect(fullCols).toBeGreaterThan(bigger);
    await page.screenshot({ path: path.join(screenshotDir, 'terminal-fullscreen.png') });
    await page.getByRole('button', { name: 'Exit full screen' }).click();
    await page.getByRole('button', { name: /^Close the terminal of/ }).first().click();

    // The distroless ledger: said once, with the way to the Debug tab, and no Reconnect.
    await page.goto(`${p.baseUrl}/catalog/default/component/payments-api/terminal?pod=${podName}&container=ledger`);
    await page.getByRole('alert').filter({ hasText: 'Open a new shell there?' }).getByRole('button', { name: 'Open terminal' }).click({ timeout: 60_000 });
    const said = page.getByRole('status').filter({ hasText: 'This container has no shell' });
    await shown(p, said, 'the distroless message', 30_000);
    expect(await page.getByText(/has no shell/).count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Reconnect' }).count()).toBe(0);
    await said.getByRole('link', { name: 'Attach a tool container in the Debug tab' }).click();
    await page.waitForURL(/\/payments-api\/debug\?pod=.*&container=ledger/);
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
