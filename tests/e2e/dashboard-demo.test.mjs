// Demo mode in Chromium: the demo people are offered on the sign-in page, the seeded portfolio fills both views, and
// a screenshot of each view at 1280x800 is saved to artifacts/ (README's images are copies of these).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startEngine, launchBrowser, artifactsDir } from './harness.mjs';

let engine;
let browser;

let managerToken;

before(async () => {
  // A small portfolio, and the simulator off so the pictures are the seeded state.
  engine = await startEngine({ args: ['--demo', '--ArActors:DemoAccounts=240', '--ArActors:DemoSimulatorSeconds=0'] });
  browser = await launchBrowser();
  ({ token: managerToken } = await (await fetch(`${engine.url}/api/v1/demo/sign-in`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userId: 'manager' }),
  })).json());
  const token = managerToken;
  // Seeding runs in the background after start: wait until the last account and the reporting projection are in.
  for (let i = 0; ; i++) {
    const account = await fetch(`${engine.url}/api/v1/accounts/DEMO-00240`, { headers: { authorization: `Bearer ${token}` } });
    const aging = account.ok ? await (await fetch(`${engine.url}/api/v1/reports/aging`, { headers: { authorization: `Bearer ${token}` } })).json() : null;
    if (aging && aging.projection.lag === 0 && aging.rows.length > 0) break;
    if (i > 600) throw new Error('the demo portfolio was not seeded within 60 s');
    await new Promise(r => setTimeout(r, 100));
  }
});

after(async () => {
  await browser?.close();
  await engine?.stop();
});

async function signInAs(displayName) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(engine.url + '/');
  await page.getByRole('button', { name: new RegExp(`^${displayName} \\(`) }).click();
  await page.waitForFunction(() => document.getElementById('connection').dataset.state === 'live', null, { timeout: 10_000 });
  return page;
}

test('a demo collector signs in without a password and works the top account of their worklist', async () => {
  const page = await signInAs('Collector 1');
  await page.waitForSelector('#worklist tbody tr');
  const scores = await page.$$eval('#worklist tbody tr', rows => rows.map(r => Number(r.dataset.score)));
  assert.ok(scores.length > 5, `a worklist of ${scores.length}`);
  assert.deepEqual(scores, [...scores].sort((a, b) => b - a), 'highest priority first');

  await page.locator('#worklist tbody tr button').first().click();
  await page.waitForSelector('#acct-invoices tbody tr');
  assert.match(await page.locator('#acct-contacts').innerText(), /local time \w{3} \d\d:\d\d/);
  await page.screenshot({ path: join(artifactsDir, 'collector-view.png') });
  await page.close();
});

test('the demo manager sees KPI tiles, the three charts, team queues and the top delinquent accounts', async () => {
  const page = await signInAs('AR manager');
  await page.waitForSelector('#kpis .tile[data-kpi="dso"]');
  await page.waitForSelector('#top-delinquent tbody tr');
  assert.notEqual(await page.locator('#kpis .tile[data-kpi="open-ar"] strong').innerText(), '$0');
  // The collections tiles show this month's figures from the reports: cash collected (no target configured here), promises kept.
  const month = (await page.locator('#kpis .tile[data-kpi="cash-vs-target"] .label').innerText()).match(/\d{4}-\d{2}/)[0];
  const report = async path => (await (await fetch(`${engine.url}/api/v1/reports/${path}?month=${month}`, { headers: { authorization: `Bearer ${managerToken}` } })).json()).rows[0];
  const cash = await report('cash-vs-target');
  const promises = await report('promises');
  const cashText = await page.locator('#kpis .tile[data-kpi="cash-vs-target"] strong').innerText();
  assert.equal(cash.target, null);
  const usd = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', maximumFractionDigits: 0 });
  assert.equal(cashText, usd.format(cash.collected));
  assert.match(await page.locator('#kpis .tile[data-kpi="cash-vs-target"] .label').innerText(), /no target/);
  const promiseText = await page.locator('#kpis .tile[data-kpi="promise-kept"] strong').innerText();
  assert.equal(promiseText, promises.promiseKeptRate === null ? '–' : `${Number(promises.promiseKeptRate).toFixed(1)} %`);
  assert.equal(await page.locator('#queues details').count(), 6, 'one queue per demo collector');
  for (const canvas of ['aging-chart', 'dso-chart', 'forecast-chart']) {
    assert.ok(await page.evaluate(id => Chart.getChart(id)?.data.datasets.length > 0, canvas), `${canvas} has data`);
  }
  const agingBuckets = await page.evaluate(() => Chart.getChart('aging-chart').data.datasets.map(d => d.label));
  assert.deepEqual(agingBuckets, ['Current', '1-30', '31-60', '61-90', '91-120', '120+']);
  await page.screenshot({ path: join(artifactsDir, 'manager-view.png') });
  await page.close();
});
