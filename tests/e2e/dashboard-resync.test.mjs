// Reconnect with resync in the browser: with a one-event buffer per subscription the hub drops a client that falls
// behind (it sends `resync` and closes the connection); the page reconnects, calls Resync(topic, last) and ends with
// exactly the worklist the engine holds, each change applied once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startEngine, launchBrowser, issueToken, newSigningKey } from './harness.mjs';

let engine;
let browser;
const signingKey = newSigningKey();
const manager = issueToken(signingKey, { sub: 'rs-manager', role: 'manager' });
const collector = issueToken(signingKey, { sub: 'rs-c1', name: 'Rae Collector', role: 'collector', team: 'north' });
const accounts = Array.from({ length: 12 }, (_, i) => `RS-${String(i + 1).padStart(2, '0')}`);

before(async () => {
  engine = await startEngine({ env: { ArActors__Auth__SigningKey: signingKey, ArActors__Hub__BufferPerSubscription: '1' } });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await engine?.stop();
});

async function api(method, path, body, expected) {
  const res = await fetch(`${engine.url}${path}`, {
    method, headers: { authorization: `Bearer ${manager}`, 'content-type': 'application/json' }, body: body && JSON.stringify(body),
  });
  const text = await res.text();
  assert.equal(res.status, expected, `${method} ${path}: ${text}`);
  return text ? JSON.parse(text) : null;
}

const worklist = async () => (await api('GET', '/api/v1/worklists/rs-c1?top=100', undefined, 200)).entries.map(e => e.customerId);

test('after the hub drops a lagging page, it reconnects and resyncs to the engine\'s worklist without reload', async () => {
  const today = new Date().toISOString().slice(0, 10);
  const past = new Date(Date.now() - 50 * 86_400_000).toISOString().slice(0, 10);
  for (const [i, id] of accounts.slice(0, 2).entries()) {
    await api('POST', '/api/v1/accounts', {
      customerId: id, name: `Customer ${id}`, country: 'US', timeZone: 'America/New_York', currency: 'USD', terms: { kind: 'net', days: 0 },
      creditLimit: 50000, segment: 'corporate', portfolio: 'north', assignedCollector: 'rs-c1',
    }, 201);
    await api('POST', `/api/v1/accounts/${id}/invoices`, { number: `${id}-1`, issueDate: past, dueDate: past, amount: 100 * (i + 1) }, 201);
  }
  for (let i = 0; i < 50 && (await worklist()).length < 2; i++) await new Promise(r => setTimeout(r, 100));

  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(engine.url + '/');
  await page.getByLabel('User token').fill(collector);
  await page.getByRole('button', { name: 'Connect' }).click();
  await page.waitForFunction(() => document.getElementById('connection').dataset.state === 'live', null, { timeout: 10_000 });
  await page.waitForSelector('#worklist tr[data-customer="RS-02"]');
  await page.evaluate(() => {
    window.notReloaded = true;
    window.states = [];
    new MutationObserver(() => window.states.push(document.getElementById('connection').dataset.state))
      .observe(document.getElementById('connection'), { attributes: true, childList: true, subtree: true });
  });

  // A burst of new past-due accounts and payments, many events at once on the collector's topic.
  await Promise.all(accounts.slice(2).map(async (id, i) => {
    await api('POST', '/api/v1/accounts', {
      customerId: id, name: `Customer ${id}`, country: 'US', timeZone: 'America/New_York', currency: 'USD', terms: { kind: 'net', days: 0 },
      creditLimit: 50000, segment: 'corporate', portfolio: 'north', assignedCollector: 'rs-c1',
    }, 201);
    await api('POST', `/api/v1/accounts/${id}/invoices`, { number: `${id}-1`, issueDate: past, dueDate: past, amount: 1000 + i }, 201);
  }));
  await api('POST', '/api/v1/accounts/RS-01/payments', { paymentId: 'RS-PAY-1', amount: 100, valueDate: today, method: 'card', remittanceRefs: ['RS-01-1'] }, 201);

  // The engine's own worklist once every push is in; the page must end up showing exactly it.
  let expected = [];
  for (let i = 0; i < 100; i++) {
    expected = await worklist();
    if (expected.length === accounts.length - 1 && !expected.includes('RS-01')) break;
    await new Promise(r => setTimeout(r, 100));
  }
  assert.equal(expected.length, accounts.length - 1, `engine worklist: ${expected}`);

  await page.waitForFunction(ids => {
    const shown = [...document.querySelectorAll('#worklist tbody tr')].map(r => r.dataset.customer);
    return document.getElementById('connection').dataset.state === 'live' && shown.length === ids.length && ids.every(id => shown.includes(id));
  }, expected, { timeout: 20_000 });

  const states = await page.evaluate(() => window.states);
  assert.ok(states.some(s => s === 'reconnecting' || s === 'disconnected' || s === 'connecting'), `the hub dropped the page: ${states}`);
  const resyncs = await page.evaluate(() => window.aractors.live.resyncs);
  assert.ok(resyncs.some(r => r.topic === 'collector/rs-c1' && r.after > 0), `the page resynced its topic from its last sequence: ${JSON.stringify(resyncs)}`);
  assert.equal(await page.evaluate(() => window.notReloaded), true, 'no reload');
  const shown = await page.$$eval('#worklist tbody tr', rows => rows.map(r => r.dataset.customer));
  assert.deepEqual(shown, expected, 'same accounts in the same order as the engine');
  await page.close();
});
