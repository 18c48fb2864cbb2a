import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startEngine, launchBrowser, artifactsDir, issueToken, newSigningKey } from './harness.mjs';

let engine;
let browser;
const signingKey = newSigningKey();
const manager = issueToken(signingKey, { sub: 'm-1', name: 'Mia Manager', role: 'manager' });
const collector = issueToken(signingKey, { sub: 'c-1', name: 'Cole Collector', role: 'collector', team: 'north' });

before(async () => {
  engine = await startEngine({ env: { ArActors__Auth__SigningKey: signingKey } });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await engine?.stop();
});

test('the engine serves the @microsoft/signalr browser client from its build output', async () => {
  const res = await fetch(`${engine.url}/lib/signalr.min.js`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /javascript/);
  assert.match(await res.text(), /HubConnectionBuilder/);
});

test('the page connects to the hub with a token and shows announcements live', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const external = [];
  page.on('request', r => { if (!r.url().startsWith(engine.url)) external.push(r.url()); });
  await page.goto(engine.url + '/');
  const status = page.getByRole('status');
  assert.equal(await status.innerText(), 'not connected');

  await page.getByLabel('User token').fill(collector);
  await page.getByRole('button', { name: 'Connect' }).click();
  await page.waitForFunction(() => document.getElementById('connection').dataset.state === 'live', null, { timeout: 10_000 });

  const res = await fetch(`${engine.url}/api/v1/announcements`, {
    method: 'POST',
    headers: { authorization: `Bearer ${manager}`, 'content-type': 'application/json' },
    body: JSON.stringify({ message: 'Bank file delayed until 14:00', severity: 'warning' }),
  });
  assert.equal(res.status, 201);
  const { sequence } = await res.json();

  const item = page.locator(`#announcements li[data-sequence="${sequence}"]`);
  await item.waitFor({ timeout: 5_000 });
  assert.equal(await item.locator('.message').innerText(), 'Bank file delayed until 14:00');
  assert.equal(await item.getAttribute('data-severity'), 'warning');
  assert.equal(await status.innerText(), 'live');
  assert.deepEqual(external, []);
  await page.screenshot({ path: join(artifactsDir, 'dashboard-announcements.png') });
  await page.close();
});

test('the page says so when its token is refused', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(engine.url + '/');
  await page.getByLabel('User token').fill('not-a-token');
  await page.getByRole('button', { name: 'Connect' }).click();
  await page.waitForFunction(() => document.getElementById('connection').textContent.startsWith('disconnected'), null, { timeout: 10_000 });
  assert.match(await page.getByRole('status').innerText(), /401/);
  await page.close();
});
