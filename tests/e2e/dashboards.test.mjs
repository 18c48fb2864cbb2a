// The collector and manager dashboards in real Chromium against the engine with a test clock: live worklists scoped to
// their collector, an escalation reached by advancing the engine's clock, a compliance refusal in plain words, and
// the main actions reachable by keyboard.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startEngine, launchBrowser, issueToken, newSigningKey } from './harness.mjs';

let engine;
let browser;
const signingKey = newSigningKey();
// Tokens outlive the clock advances below (the engine checks expiry on its own clock).
const year = 400 * 86_400;
const manager = issueToken(signingKey, { sub: 'dash-manager', name: 'Mia Manager', role: 'manager', lifetimeSeconds: year });
const admin = issueToken(signingKey, { sub: 'dash-admin', role: 'admin', lifetimeSeconds: year });
const collectorA = issueToken(signingKey, { sub: 'dash-c1', name: 'Ada Collector', role: 'collector', team: 'north', lifetimeSeconds: year });
const leadNorth = issueToken(signingKey, { sub: 'dash-lead', name: 'Lee Lead', role: 'team-lead', team: 'north', lifetimeSeconds: year });
const collectorB = issueToken(signingKey, { sub: 'dash-c2', name: 'Ben Collector', role: 'collector', team: 'north', lifetimeSeconds: year });

before(async () => {
  engine = await startEngine({
    args: ['--ArActors:TestClock=true'],
    env: { ArActors__Auth__SigningKey: signingKey, ASPNETCORE_ENVIRONMENT: 'Testing' },
  });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await engine?.stop();
});

async function api(method, path, body, { token = manager, expected } = {}) {
  const res = await fetch(`${engine.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (expected !== undefined) assert.equal(res.status, expected, `${method} ${path}: ${text}`);
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

async function engineNow() {
  return new Date((await api('GET', '/api/v1/test-clock', undefined, { token: admin, expected: 200 })).body.now);
}

const isoDate = (d, days = 0) => new Date(d.getTime() + days * 86_400_000).toISOString().slice(0, 10);

/** Opens an account (consumer unless told) with one invoice issued and due `pastDueDays` before the engine's today. */
async function accountWithInvoice(customerId, collector, { amount, pastDueDays, timeZone = 'Europe/London', segment = 'corporate' }) {
  await api('POST', '/api/v1/accounts', {
    customerId, name: `Customer ${customerId}`, country: 'GB', timeZone, currency: 'USD', terms: { kind: 'net', days: 0 },
    creditLimit: 100000, segment, portfolio: 'north', assignedCollector: collector,
    contacts: [{ name: `Pat ${customerId}`, role: 'Accounts payable', email: `pat@${customerId.toLowerCase()}.example`, phone: '+441234567890', preferredChannel: 'phone' }],
  }, { expected: 201 });
  const day = isoDate(await engineNow(), -pastDueDays);
  await api('POST', `/api/v1/accounts/${customerId}/invoices`, { number: `${customerId}-1`, issueDate: day, dueDate: day, amount }, { expected: 201 });
}

/** A page signed in through the token box, waiting until the hub says live and the worklist loaded. */
async function signedInPage(token, context) {
  const page = await (context ?? browser).newPage({ viewport: { width: 1280, height: 800 } });
  const errors = [];
  page.on('pageerror', e => errors.push(e.message));
  await page.goto(engine.url + '/');
  await page.getByLabel('User token').fill(token);
  await page.getByRole('button', { name: 'Connect' }).click();
  await page.waitForFunction(() => document.getElementById('connection').dataset.state === 'live', null, { timeout: 10_000 });
  page.errors = errors;
  return page;
}

const rowIds = page => page.$$eval('#worklist tbody tr', rows => rows.map(r => r.dataset.customer));

async function waitForWorklist(customerIds) {
  // Worklists fill from the accounts' pushes after their commits: wait until both queues hold their accounts.
  for (let i = 0; i < 100; i++) {
    const mine = (await api('GET', '/api/v1/worklists/dash-c1', undefined, { expected: 200 })).body.entries.map(e => e.customerId);
    const theirs = (await api('GET', '/api/v1/worklists/dash-c2', undefined, { expected: 200 })).body.entries.map(e => e.customerId);
    if (customerIds.every(id => mine.includes(id) || theirs.includes(id))) return;
    await new Promise(r => setTimeout(r, 100));
  }
  throw new Error('worklists did not fill');
}

test('a payment re-orders the collector\'s worklist within a second without reload; another collector\'s page does not change', async () => {
  await accountWithInvoice('DASH-A1', 'dash-c1', { amount: 9000, pastDueDays: 40 });
  await accountWithInvoice('DASH-A2', 'dash-c1', { amount: 300, pastDueDays: 40 });
  await accountWithInvoice('DASH-B1', 'dash-c2', { amount: 5000, pastDueDays: 40 });
  await waitForWorklist(['DASH-A1', 'DASH-A2', 'DASH-B1']);

  const mine = await signedInPage(collectorA, await browser.newContext());
  const theirs = await signedInPage(collectorB, await browser.newContext());
  await mine.waitForSelector('#worklist tr[data-customer="DASH-A2"]');
  await theirs.waitForSelector('#worklist tr[data-customer="DASH-B1"]');
  assert.deepEqual(await rowIds(mine), ['DASH-A1', 'DASH-A2'], 'the larger past-due amount ranks first');
  assert.deepEqual(await rowIds(theirs), ['DASH-B1']);

  // A marker that a reload would lose, and a count of every change to the other collector's worklist.
  await mine.evaluate(() => { window.notReloaded = true; });
  await theirs.evaluate(() => {
    window.worklistChanges = 0;
    new MutationObserver(records => { window.worklistChanges += records.length; })
      .observe(document.querySelector('#worklist tbody'), { childList: true, subtree: true, characterData: true, attributes: true });
  });

  await api('POST', '/api/v1/accounts/DASH-A1/payments',
    { paymentId: 'DASH-PAY-1', amount: 9000, valueDate: isoDate(await engineNow()), method: 'bankTransfer', remittanceRefs: ['DASH-A1-1'] }, { expected: 201 });
  const acknowledged = Date.now();
  await mine.waitForFunction(() => !document.querySelector('#worklist tr[data-customer="DASH-A1"]'), null, { timeout: 1_000 });
  const latency = Date.now() - acknowledged;

  assert.ok(latency <= 1_000, `row removed ${latency} ms after the API acknowledged`);
  assert.deepEqual(await rowIds(mine), ['DASH-A2']);
  assert.equal(await mine.evaluate(() => window.notReloaded), true, 'the page was not reloaded');
  await new Promise(r => setTimeout(r, 500));
  assert.deepEqual(await rowIds(theirs), ['DASH-B1']);
  assert.equal(await theirs.evaluate(() => window.worklistChanges), 0, 'the other collector\'s worklist did not change');
  assert.deepEqual([...mine.errors, ...theirs.errors], []);
  await mine.context().close();
  await theirs.context().close();
});

test('a manager reassigns an account from a team queue and it moves to the other collector\'s page live', async () => {
  const manager_ = await signedInPage(manager);
  const theirs = await signedInPage(collectorB, await browser.newContext());
  await theirs.waitForSelector('#worklist tr[data-customer="DASH-B1"]');
  assert.equal(await theirs.locator('#worklist tr[data-customer="DASH-A2"]').count(), 0);

  const row = manager_.locator('#queues details[data-collector="dash-c1"] tr[data-customer="DASH-A2"]');
  const queue = manager_.locator('#queues details[data-collector="dash-c1"]');
  await queue.waitFor();
  if (!(await queue.evaluate(d => d.open))) await queue.locator('summary').click();
  await row.getByLabel('New collector for DASH-A2').selectOption('dash-c2');
  await row.getByRole('button', { name: 'Reassign' }).click();
  await manager_.locator('#manager-result').filter({ hasText: 'DASH-A2 reassigned to dash-c2.' }).waitFor({ timeout: 5_000 });

  await theirs.waitForSelector('#worklist tr[data-customer="DASH-A2"]', { timeout: 5_000 });
  const account = await api('GET', '/api/v1/accounts/DASH-A2', undefined, { expected: 200 });
  assert.equal(account.body.profile.assignedCollector, 'dash-c2');
  assert.deepEqual([...manager_.errors, ...theirs.errors], []);
  await manager_.close();
  await theirs.context().close();
});

test('logging a call at a non-permitted local time shows the refusal and the next permitted time', async () => {
  // A consumer's zone where it is now 02:xx-03:xx on the engine's clock: outside the 08:00-21:00 calling hours.
  const now = await engineNow();
  const offset = ((2 - now.getUTCHours() + 36) % 24) - 12;
  const timeZone = offset === 0 ? 'Etc/GMT' : offset > 0 ? `Etc/GMT-${offset}` : `Etc/GMT+${-offset}`;
  await accountWithInvoice('DASH-NIGHT', 'dash-c1', { amount: 700, pastDueDays: 20, timeZone, segment: 'consumer' });
  await waitForWorklist(['DASH-NIGHT']);

  const page = await signedInPage(collectorA);
  await page.getByRole('button', { name: /Open account DASH-NIGHT/ }).click();
  await page.waitForSelector('#acct-contacts .can-call');
  assert.equal(await page.locator('#acct-contacts .can-call').getAttribute('data-ok'), 'false');

  const form = page.locator('#log-activity');
  await form.getByLabel('Kind').selectOption('call');
  await form.getByLabel('Outcome').selectOption('noAnswer');
  const answer = page.waitForResponse(r => r.url().endsWith('/api/v1/accounts/DASH-NIGHT/activities') && r.request().method() === 'POST');
  await form.getByRole('button', { name: 'Log activity' }).click();
  const response = await answer;
  assert.equal(response.status(), 422);
  const problem = await response.json();
  assert.ok(problem.nextPermitted, 'the engine names the next permitted time');

  const result = page.locator('#action-result');
  await result.filter({ hasText: 'Not permitted' }).waitFor({ timeout: 5_000 });
  const text = await result.innerText();
  assert.equal(await result.getAttribute('data-kind'), 'refused');
  assert.match(text, /Next permitted: .*08:00 their time/, text);
  assert.ok(text.includes(problem.detail), `the engine's reason is shown: ${text}`);
  assert.match(await page.locator('#acct-contacts .can-call').innerText(), /next permitted .*08:00/);
  const logged = await api('GET', '/api/v1/accounts/DASH-NIGHT/activities', undefined, { expected: 200 });
  assert.deepEqual(logged.body.activities, [], 'nothing was logged');
  await page.close();
});

test('the main actions are reachable with Tab and have visible labels', async () => {
  const page = await signedInPage(collectorA);
  await page.getByRole('button', { name: /Open account DASH-NIGHT/ }).click();
  await page.waitForSelector('#account-body:not([hidden])');
  await page.evaluate(() => document.activeElement.blur());
  await page.locator('body').focus();

  const wanted = ['Open account DASH-NIGHT', 'Log activity', 'Record promise', 'Open dispute', 'Request write-off', 'Set next action', 'Sign out'];
  const reached = new Set();
  for (let i = 0; i < 120 && reached.size < wanted.length; i++) {
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => {
      const e = document.activeElement;
      return { name: e.getAttribute('aria-label') ?? e.textContent.trim(), visible: e.matches(':focus-visible') && e.offsetParent !== null };
    });
    const hit = wanted.find(w => focused.name.startsWith(w));
    if (hit) {
      assert.ok(focused.visible, `${hit} shows keyboard focus`);
      reached.add(hit);
    }
  }
  assert.deepEqual([...reached].sort(), [...wanted].sort());

  // Every control of the action forms has a visible label.
  const unlabelled = await page.$$eval('#account-body form :is(input, select)', controls =>
    controls.filter(c => c.labels.length === 0 || c.labels[0].innerText.trim() === '').map(c => c.name));
  assert.deepEqual(unlabelled, []);
  await page.close();
});

test('an import shows its progress bar on the manager\'s page until it completes', async () => {
  const page = await signedInPage(manager);
  await page.waitForSelector('#kpis .tile');
  const header = 'customerId,name,country,timeZone,currency,termsKind,termsDays,creditLimit,segment,portfolio,assignedCollector';
  const rows = Array.from({ length: 40 }, (_, i) => `DASH-IMP-${i},Imported ${i},US,America/Chicago,USD,net,30,1000,corporate,north,dash-c2`);
  const res = await fetch(`${engine.url}/api/v1/imports?format=accounts`, {
    method: 'POST', headers: { authorization: `Bearer ${manager}`, 'content-type': 'text/csv' }, body: [header, ...rows].join('\n'),
  });
  assert.equal(res.status, 202, await res.clone().text());
  const { id } = await res.json();

  const job = page.locator(`#imports [data-job="${id}"]`);
  await page.waitForFunction(jobId => document.querySelector(`#imports [data-job="${jobId}"]`)?.dataset.status === 'completed', id, { timeout: 15_000 });
  assert.equal(await job.locator('progress').getAttribute('max'), '100');
  assert.equal(await job.locator('progress').evaluate(p => p.value), 100);
  assert.match(await job.innerText(), /completed, 40 of 40 rows/);
  await page.close();
});

test('advancing the engine\'s test clock past an escalation step shows the escalation on the manager\'s page', async () => {
  await accountWithInvoice('DASH-ESC', 'dash-c1', { amount: 1200, pastDueDays: 0 });
  const page = await signedInPage(manager);
  await page.waitForSelector('#kpis .tile');
  const escalation = page.locator('#escalations li[data-customer="DASH-ESC"]');
  assert.equal(await escalation.count(), 0, 'nothing escalated before the clock moves');

  const before = await engineNow();
  const moved = await api('POST', '/api/v1/test-clock/advance', { days: 31 }, { token: admin, expected: 200 });
  assert.ok(new Date(moved.body.now) - before >= 31 * 86_400_000);

  // The +30 step escalates to the team lead and notifies the sales owner: one feed item each.
  const toLead = escalation.filter({ hasText: 'to team lead' });
  await toLead.waitFor({ timeout: 15_000 });
  assert.match(await toLead.innerText(), /DASH-ESC-1 is \d+ days past due.*'escalate-team-lead'/);
  assert.equal(await toLead.getByRole('button', { name: 'Acknowledge' }).isVisible(), true);
  assert.equal(await toLead.getByRole('button', { name: 'Resolve' }).isVisible(), true);

  // Acknowledge and resolve go to the escalation record named by the item; the feed follows the record's events.
  await toLead.getByLabel(/Note for escalation/).fill('calling the customer today');
  const posted = page.waitForRequest(r => r.method() === 'POST' && /\/api\/v1\/escalations\/[^/]+\/acknowledgement$/.test(r.url()));
  await toLead.getByRole('button', { name: 'Acknowledge' }).click();
  assert.deepEqual((await posted).postDataJSON(), { note: 'calling the customer today' });
  await toLead.locator('.outcome').filter({ hasText: 'Acknowledged.' }).waitFor({ timeout: 5_000 });
  const id = await toLead.getAttribute('data-escalation');
  const record = await api('GET', `/api/v1/escalations/${encodeURIComponent(id)}`, undefined, { token: manager, expected: 200 });
  assert.equal(record.body.status, 'acknowledged');
  assert.equal(record.body.acknowledgementNote, 'calling the customer today');

  await toLead.getByLabel(/Note for escalation/).fill('payment plan agreed');
  await toLead.getByRole('button', { name: 'Resolve' }).click();
  await page.locator(`#escalations li[data-escalation="${id}"]`).waitFor({ state: 'detached', timeout: 5_000 });
  const resolved = await api('GET', `/api/v1/escalations/${encodeURIComponent(id)}`, undefined, { token: manager, expected: 200 });
  assert.equal(resolved.body.resolutionNote, 'payment plan agreed');
  assert.equal(resolved.body.status, 'resolved');
  // A page opened now lists only what is still open or acknowledged: the sales-owner item, not the resolved one.
  const fresh = await signedInPage(manager);
  await fresh.locator('#escalations li[data-customer="DASH-ESC"]').filter({ hasText: 'to sales owner' }).waitFor({ timeout: 10_000 });
  assert.equal(await fresh.locator(`#escalations li[data-escalation="${id}"]`).count(), 0);
  assert.deepEqual(fresh.errors, []);
  await fresh.close();
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('a team lead sees the queues of every collector holding the team\'s accounts', async () => {
  await accountWithInvoice('DASH-L1', 'dash-c1', { amount: 700, pastDueDays: 20 });
  await accountWithInvoice('DASH-L2', 'dash-c2', { amount: 800, pastDueDays: 20 });
  // The team's collectors come from the account directory (the reporting projection): wait until it folded both.
  for (let i = 0; ; i++) {
    const team = await api('GET', '/api/v1/worklists/teams/north', undefined, { token: leadNorth, expected: 200 });
    if (['dash-c1', 'dash-c2'].every(c => team.body.queues.some(q => q.collectorId === c))) break;
    assert.ok(i < 100, 'the team worklist did not list both collectors');
    await new Promise(r => setTimeout(r, 100));
  }
  const page = await signedInPage(leadNorth);
  await page.waitForSelector('#queues details[data-collector="dash-c2"]');
  assert.deepEqual(await page.$$eval('#queues details', d => d.map(x => x.dataset.collector)), ['dash-c1', 'dash-c2']);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('the test clock refuses bad input by field and answers only admins', async () => {
  const both = await api('POST', '/api/v1/test-clock/advance', { days: 1, to: '2030-01-01' }, { token: admin });
  assert.equal(both.status, 400);
  assert.ok(both.body.errors.days);
  const back = await api('POST', '/api/v1/test-clock/advance', { to: '2001-01-01' }, { token: admin });
  assert.equal(back.status, 400);
  assert.match(back.body.errors.to[0], /later than/);
  assert.equal((await api('POST', '/api/v1/test-clock/advance', { days: 1 }, { token: manager })).status, 403);
});

test('the engine refuses a test clock in the Production environment', async () => {
  await assert.rejects(
    startEngine({ args: ['--ArActors:TestClock=true'], env: { ASPNETCORE_ENVIRONMENT: 'Production' } }),
    /TestClock is for tests and is refused in the Production environment/);
});
