// The applications' pages in a real browser, each watching its example run
// (examples/*/run.sh) on the example's own platform, with the web agent
// started beside it. Screenshots go to tests/browser/out/.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { ExampleHome } from './platform.mjs';

const out = new URL('./out/', import.meta.url).pathname;
const examples = new URL('../../examples/', import.meta.url).pathname;
let browser;

before(async () => {
  mkdirSync(out, { recursive: true });
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: ['--no-sandbox'] });
});

after(async () => { await browser?.close(); });

// Runs an example with the page open on `hash`; `watch(page)` checks the page
// while the run goes on and after it; the example must succeed too.
async function watchExample(example, hash, watch) {
  const home = new ExampleHome().prepare().run(join(examples, example, 'run.sh'));
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  try {
    const url = await home.webUrl();
    await page.goto(url);
    await page.fill('input[name=user]', 'alice');
    await page.fill('input[name=password]', 'admin-password');
    await page.click('button[type=submit]');
    await page.waitForSelector('header .me', { timeout: 60000 });
    await page.goto(`${url}/#/${hash}`);
    try {
      await watch(page, home);
    } catch (e) {
      await page.screenshot({ path: join(out, `${example}-failed.png`), fullPage: true });
      throw e;
    }
    const { code, output } = await home.done;
    assert.equal(code, 0, output);
    await page.screenshot({ path: join(out, `${example}.png`), fullPage: true });
  } finally {
    await page.close();
    await home.done;
    home.stop();
  }
}

test('the microgrid market: prices, real-time clearings and both settlements, live', async () => {
  await watchExample('microgrids', 'microgrids', async (page) => {
    await page.waitForSelector('#microgrid-settlement', { timeout: 180000 });
    const rows = await page.locator('#microgrid-settlement tbody tr').count();
    assert.ok(rows >= 5, `four operators and the balance (${rows} rows)`);
    await page.waitForSelector('#microgrid-prices canvas');
  });
});

test('the energy hub: its schedule step by step, live', async () => {
  await watchExample('energy-hub', 'hub', async (page) => {
    await page.selectOption('select', 'hub-mpc').catch(() => {});
    await page.waitForFunction(() => /^(\d+) steps/.test(document.querySelector('#hub-steps')?.textContent || '') &&
      Number(document.querySelector('#hub-steps').textContent.split(' ')[0]) >= 20, null, { timeout: 120000 });
    await page.waitForSelector('#hub-grid canvas');
    assert.ok(await page.locator('#hub-models tbody tr').count() >= 5);
  });
});

test('the BESS auctions: every message of the figures as it goes', async () => {
  await watchExample('bess-auction', 'trading', async (page) => {
    await page.waitForFunction(() => document.querySelectorAll('#auction-messages tbody tr').length >= 10, null,
      { timeout: 120000 });
    const text = await page.textContent('#auction-messages');
    assert.match(text, /bid/);
  });
});

test('the organizations: their tree, and the energy between them from the DisCo\'s run', async () => {
  await watchExample('org33', 'orgs', async (page, home) => {
    // An organization's topics are its members' alone: the web agent joins
    // the DisCo's as soon as it exists, before the run begins.
    const disco = await page.waitForFunction(async () => {
      const r = await fetch('/api/orgs');
      const orgs = r.ok ? await r.json() : [];
      return orgs.find((o) => o.kind === 'disco')?.name;
    }, null, { timeout: 120000, polling: 100 });
    home.watt('org', 'add', await disco.jsonValue(), 'web', '--role', 'member');
    await page.waitForSelector('#org-tree li', { timeout: 60000 });
    await page.waitForSelector('#org-run', { timeout: 180000 });
    assert.match(await page.textContent('#org-run'), /converged/);
  });
});
