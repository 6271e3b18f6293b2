// The web view's time to first paint of the overview, in Debian's Chromium
// (Playwright, from tests/browser's node_modules: run `npm ci` there first):
// a real platform, a logged-in session, then N fresh loads of the overview.
// Printed: the browser's first contentful paint, and the time until the
// agents' table shows every agent, median and worst.
//   node bench/web_paint.mjs [LOADS]        (WATT_BUILD, CHROMIUM as for the tests)
import { chromium } from '../tests/browser/node_modules/playwright-core/index.mjs';
import { Platform } from '../tests/browser/platform.mjs';

const loads = Number(process.argv[2] || 20);
const platform = new Platform().start().withAgents();
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: ['--no-sandbox'] });
try {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(platform.url);
  await page.fill('input[name=user]', 'alice');
  await page.fill('input[name=password]', 'admin-password');
  await page.click('button[type=submit]');
  await page.waitForSelector('tr[data-agent="listener"]');
  const fcp = [];
  const table = [];
  for (let i = 0; i < loads; ++i) {
    const fresh = await context.newPage();  // the session's cookie, nothing else warm but the HTTP cache
    await fresh.goto(`${platform.url}/#/overview`);
    await fresh.waitForSelector('tr[data-agent="listener"]');
    const t = await fresh.evaluate(() => ({
      fcp: performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN,
      table: performance.now(),
    }));
    fcp.push(t.fcp);
    table.push(t.table);
    await fresh.close();
  }
  const stats = (xs) => {
    const s = [...xs].sort((a, b) => a - b);
    return `median ${s[Math.floor(s.length / 2)].toFixed(0)} ms, worst ${s[s.length - 1].toFixed(0)} ms`;
  };
  console.log(`overview, ${loads} loads: first contentful paint ${stats(fcp)}; every agent in the table ${stats(table)}`);
} finally {
  await browser.close();
  platform.stop();
}
