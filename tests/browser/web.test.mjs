// The web view in a real browser (docs/web.md): Playwright drives Debian's
// Chromium, headless, against a real platform on loopback. Screenshots go to
// tests/browser/out/.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { Platform, bin, lib } from './platform.mjs';

const out = new URL('./out/', import.meta.url).pathname;
const examples = new URL('../../examples/', import.meta.url).pathname;
let platform;
let browser;
let page;

async function login(p, user, password) {
  await p.goto(platform.url);
  await p.fill('input[name=user]', user);
  await p.fill('input[name=password]', password);
  await p.click('button[type=submit]');
}

// Polls `check` until it returns a true value or `ms` pass.
async function until(check, ms, what) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > end) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

before(async () => {
  mkdirSync(out, { recursive: true });
  platform = new Platform().start().withAgents();
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: ['--no-sandbox'] });
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
});

after(async () => {
  await browser?.close();
  platform?.stop();
});

test('a wrong password is refused, the right one logs in', async () => {
  await login(page, 'alice', 'not-her-password');
  await page.waitForSelector('.login .error');
  assert.match(await page.textContent('.login .error'), /wrong user name or password/);
  await login(page, 'alice', 'admin-password');
  await page.waitForSelector('header .me');
  assert.equal(await page.textContent('header .me'), 'alice (admin)');
});

test('the overview shows the agents with their state and health', async () => {
  await page.goto(`${platform.url}/#/overview`);
  for (const id of ['web', 'historian', 'listener']) await page.waitForSelector(`tr[data-agent="${id}"]`);
  const row = await page.textContent('tr[data-agent="listener"]');
  assert.match(row, /running/);
  await page.waitForSelector('tr[data-agent="web"] td.GOOD');
  await page.screenshot({ path: join(out, 'overview.png'), fullPage: true });
});

test('a message published with watt publish appears within a second', async () => {
  await page.goto(`${platform.url}/#/topics`);
  await page.fill('input[name=pattern]', 'devices/lab');
  await page.click('form.row button[type=submit]');
  // Once a first message shows, the subscription is in place: then time one.
  await until(async () => {
    platform.watt('publish', 'devices/lab/ready', '1');
    return page.$('tr[data-topic="devices/lab/ready"]');
  }, 10000, 'the subscription');
  const sent = Date.now();
  platform.watt('publish', 'devices/lab/node3/power', '{"p": 1.5}');
  await page.waitForSelector('tr[data-topic="devices/lab/node3/power"]', { timeout: 1000 });
  const seen = Date.now() - sent;
  await page.click('tr[data-topic="devices/lab/node3/power"]');
  assert.match(await page.textContent('#detail'), /"p": 1.5/);
  console.log(`# published to shown: ${seen} ms (the publish command's own start included)`);
  await page.screenshot({ path: join(out, 'topics.png'), fullPage: true });
});

test('a config edit is accepted, then refused with the agent\'s own message', async () => {
  await page.goto(`${platform.url}/#/config`);
  await page.selectOption('#config-agent', 'listener');
  await page.click('button.link:text-is("config")');
  await page.waitForSelector('#config-editor textarea');
  await page.fill('#config-editor textarea', "patterns: ['devices/#', 'alerts']\n");
  await page.click('#config-editor button[type=submit]');
  await page.waitForSelector('#config-outcome.ok');
  assert.equal(await page.textContent('#config-outcome'), 'applied');
  await page.fill('#config-editor textarea', "patterns: ['devices/+x']\n");
  await page.click('#config-editor button[type=submit]');
  await page.waitForSelector('#config-outcome.error');
  assert.match(await page.textContent('#config-outcome'), /refused configuration 'config': patterns\[0\]/);
  await page.screenshot({ path: join(out, 'config.png'), fullPage: true });
  assert.match(platform.watt('config', 'get', 'listener', 'config'), /alerts/);
});

test('a historian series is charted', async () => {
  for (let i = 1; i <= 5; ++i) platform.watt('publish', 'devices/lab/meter/all', JSON.stringify({ power: i * 1.5 }));
  await page.goto(`${platform.url}/#/charts`);
  const section = page.locator('section', { hasText: 'History' });
  await section.locator('input[name=topic]').fill('devices/lab/meter/power');
  await until(async () => {
    await section.locator('button[type=submit]').click();
    const count = await page.$('#history-count');
    return count && /^5 values/.test(await count.textContent());
  }, 15000, 'five stored values');
  await page.waitForSelector('#history-chart canvas');
  await page.screenshot({ path: join(out, 'history.png'), fullPage: true });
});

test('a 16-node dispatch run converges live', async () => {
  const plan = execFileSync(join(bin, 'watt-ed'), ['plan', join(examples, 'ed16', 'ed16.yml'), '--out',
    join(platform.home, 'ed'), '--pace-ms', '50'], { env: platform.env, encoding: 'utf8' });
  let monitor;
  for (const line of plan.trim().split('\n')) {
    const [id, file] = line.split('\t');
    if (id.endsWith('-monitor')) monitor = [id, file];
    else platform.watt('install', join(lib, 'libed-node.so'), '--identity', id, '--config', file, '--start');
  }
  await page.goto(`${platform.url}/#/dispatch`);
  await page.waitForSelector('header .stream.open');
  platform.watt('install', join(lib, 'libed-monitor.so'), '--identity', monitor[0], '--config', monitor[1], '--start');
  await page.waitForSelector('#mismatch-chart canvas', { timeout: 60000 });
  await page.waitForSelector('#dispatch-done', { timeout: 120000 });
  assert.equal(await page.locator('#dispatch-nodes tbody tr').count(), 16);
  // The page drew the run as it went: a point per frame of status, each
  // sent while the run was on (cached values add none).
  const status = page.locator('#dispatch-status');
  const points = Number(await status.getAttribute('data-points'));
  const first = Number(await status.getAttribute('data-first'));
  const last = Math.abs(Number(await page.textContent('#mismatch')));
  assert.ok(points >= 10, `the mismatch was drawn live (${points} points)`);
  assert.ok(first > 10 && last < 1, `the mismatch converged (from ${first} to ${last} kW)`);
  await page.screenshot({ path: join(out, 'dispatch.png'), fullPage: true });
});

test('the peer-to-peer market: its order book, its trades live and its ledger verified', async () => {
  platform.watt('install', join(lib, 'libmarket.so'), '--identity', 'market', '--config',
    platform.file('market.yml', 'market: bit-energy\nlines: none\noperators: [operator]\n'), '--start');
  const rpc = (...args) => platform.watt('--identity', 'operator', 'rpc', 'market', ...args);
  rpc('open', '"P1"', '10000', '50');
  rpc('open', '"C1"', '100000', '0');
  await page.goto(`${platform.url}/#/trading`);
  await page.waitForSelector('#accounts td:text-is("C1")');
  await page.waitForSelector('header .stream.open');
  rpc('post', '"P1"', '10', '9.5');
  await page.waitForSelector('#order-book td:text-is("P1")');
  rpc('buy', '"C1"', '4', '10');
  await until(async () => (await page.locator('#ledger-entries tbody tr').count()) >= 2, 10000, 'the post and the buy');
  // The page verifies the ledger again as entries arrive: the answer that
  // counts the buy may come after one that does not.
  await until(async () => /ledger verified: 4 entries/.test(await page.textContent('#ledger-verified')), 10000,
    'the ledger verified with all four entries');
  assert.ok(await page.locator('#ledger-verified.ok').count() === 1);
  await page.screenshot({ path: join(out, 'trading.png'), fullPage: true });
});

test('a viewer sees everything and changes nothing', async () => {
  const context = await browser.newContext();
  const viewer = await context.newPage();
  await login(viewer, 'bob', 'viewer-password');
  await viewer.waitForSelector('tr[data-agent="listener"]');
  assert.equal(await viewer.locator('tr[data-agent="listener"] button').count(), 0);
  const status = await viewer.evaluate(async () => {
    const me = await (await fetch('/api/me')).json();
    const r = await fetch('/api/agents/listener/stop', { method: 'POST', headers: { 'X-CSRF-Token': me.csrf } });
    return r.status;
  });
  assert.equal(status, 403);
  assert.match(platform.watt('list'), /listener\s+running/);
  await context.close();
});
