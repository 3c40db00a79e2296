import fs from 'node:fs';
import path from 'node:path';
import { BrowserContext, Page } from 'playwright-core';
import { screenshotDir } from '../support/tools';
import { chromiumPath, newPage, Portal, shown, signIn, startPortal, stopPortal } from '../support/portal';

/**
 * Real Chromium against the example portal (test/support/portal.ts): sign-in, the entity page,
 * staying signed in, signing out.
 */
jest.setTimeout(300_000);

const describeIf = chromiumPath ? describe : describe.skip;
const screenshotPath = path.join(screenshotDir, 'screenshot.png');

let portal: Portal | undefined;
let context: BrowserContext | undefined;
let page: Page;

describeIf('example portal in Chromium', () => {
  beforeAll(async () => {
    portal = await startPortal({ name: 'e2e' });
    ({ context, page } = await newPage(portal));
  });

  afterAll(async () => {
    await context?.close().catch(() => undefined);
    await stopPortal(portal);
  });

  it('signs in as alice and shows payments-api with its owner', async () => {
    const p = portal!;
    await signIn(p, page, 'alice');
    await shown(p, page.getByRole('link', { name: 'payments-api' }), 'the catalog with payments-api', 30_000);

    await page.goto(`${p.baseUrl}/catalog/default/component/payments-api`);
    const title = await shown(
      p,
      page.getByRole('heading', { name: 'payments-api', exact: true }).first(),
      'the entity page title',
      60_000,
    );
    const owner = await shown(p, page.getByRole('link', { name: 'team-payments' }).first(), 'the owner', 30_000);

    expect(await title.textContent()).toBe('payments-api');
    expect(await owner.textContent()).toContain('team-payments');
    expect(await page.getByRole('button', { name: /Sign in as/ }).count()).toBe(0);

    fs.mkdirSync(path.dirname(screenshotPath), { recursive: true });
    await page.screenshot({ path: screenshotPath });
  });

  it('stays signed in as alice across a reload', async () => {
    await page.reload();
    await shown(
      portal!,
      page.getByRole('heading', { name: 'payments-api', exact: true }).first(),
      'the entity page after reload',
      60_000,
    );
    const identity = await page.evaluate(() => window.localStorage.getItem('kube-troubleshoot:dev-user'));
    expect(identity).toBe('alice');
  });

  it('signs out back to the user picker and forgets alice', async () => {
    const p = portal!;
    await page.goto(`${p.baseUrl}/settings`);
    await shown(p, page.getByText('Backstage Identity', { exact: true }), 'the settings page', 60_000);
    await page.getByRole('button', { name: 'more' }).click();
    await page.getByRole('menuitem', { name: /sign out/i }).click();
    await shown(p, page.getByRole('button', { name: 'Sign in as alice' }), 'the user picker', 30_000);
    const identity = await page.evaluate(() => window.localStorage.getItem('kube-troubleshoot:dev-user'));
    expect(identity).toBeNull();
  });
});
