import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startEngine, launchBrowser, artifactsDir } from './harness.mjs';

let engine;
let browser;

before(async () => {
  engine = await startEngine();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await engine?.stop();
});

test('the page at / loads in Chromium and shows the product name', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const response = await page.goto(engine.url + '/');

  assert.equal(response.status(), 200);
  assert.equal(await page.title(), 'ArActors');
  assert.equal(await page.locator('h1').innerText(), 'ArActors');
  await page.screenshot({ path: join(artifactsDir, 'home.png') });
});
