// The dashboards' hub (/hubs/collections): clients join by identity; a collector gets their accounts' events and
// never another collector's; after a dropped connection, Resync with the last sequence returns exactly what was missed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startEngine, issueToken, newSigningKey, eventRecorder, signalR } from './harness.mjs';

let engine;
const signingKey = newSigningKey();
const manager = issueToken(signingKey, { sub: 'manager-1', role: 'manager' });
const collector1 = issueToken(signingKey, { sub: 'collector-1', role: 'collector', team: 'north' });
const collector2 = issueToken(signingKey, { sub: 'collector-2', role: 'collector', team: 'north' });

before(async () => {
  engine = await startEngine({ env: { ArActors__Auth__SigningKey: signingKey } });
  await api('POST', '/api/v1/accounts', account('HUB-A', 'collector-1'), 201);
  await api('POST', '/api/v1/accounts', account('HUB-B', 'collector-2'), 201);
});

after(async () => {
  await engine?.stop();
});

function account(customerId, assignedCollector) {
  return {
    customerId, name: `Customer ${customerId}`, country: 'DE', timeZone: 'Europe/Berlin', currency: 'EUR',
    terms: { kind: 'net', days: 30 }, creditLimit: 10000, segment: 'corporate', portfolio: 'north', assignedCollector,
  };
}

async function api(method, path, body, expected) {
  const res = await fetch(`${engine.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${manager}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  assert.equal(res.status, expected, await res.clone().text());
  return res.json();
}

/** Connects and resolves with the connection, its event recorder and the topics it joined (handlers set before start). */
async function join(token) {
  const connection = new signalR.HubConnectionBuilder()
    .withUrl(`${engine.url}/hubs/collections`, { accessTokenFactory: () => token })
    .configureLogging(signalR.LogLevel.Warning)
    .build();
  const events = eventRecorder(connection);
  const joined = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no joined message within 5 s')), 5_000);
    connection.on('joined', topics => { clearTimeout(timer); resolve(topics); });
  });
  await connection.start();
  return { connection, events, topics: await joined };
}

const customerOf = message => message.payload.customerId ?? message.payload.CustomerId;

test('a payment reaches its collector within a second and never another collector', async () => {
  const mine = await join(collector1);
  const theirs = await join(collector2);
  try {
    assert.deepEqual(mine.topics.map(t => t.topic), ['collector/collector-1', 'announcements']);

    await api('POST', '/api/v1/accounts/HUB-A/payments', { paymentId: 'PAY-HUB-1', amount: 10, valueDate: '2026-02-01', method: 'card' }, 201);
    const acknowledged = Date.now();
    let first;
    for (let n = 1; !first; n++) {
      const received = await mine.events.waitFor(n);
      first = received.find(m => m.eventType === 'PaymentReceived');
    }
    const latency = Date.now() - acknowledged;

    assert.equal(first.topic, 'collector/collector-1');
    assert.equal(first.eventType, 'PaymentReceived');
    assert.equal(customerOf(first), 'HUB-A');
    assert.ok(latency <= 1000, `received ${latency} ms after the API acknowledged`);
    await new Promise(r => setTimeout(r, 500));
    assert.equal(theirs.events.received.filter(m => customerOf(m) === 'HUB-A').length, 0);
  } finally {
    await mine.connection.stop();
    await theirs.connection.stop();
  }
});

test('a collector who drops while ten invoices are issued and resyncs with the last sequence gets exactly what was committed meanwhile, in order', async () => {
  const before = await join(collector1);
  await api('POST', '/api/v1/accounts/HUB-A/invoices', { number: 'HUB-INV-0', issueDate: '2026-02-01', amount: 1 }, 201);
  await before.events.waitFor(1);
  await new Promise(r => setTimeout(r, 300));
  const seen = before.events.received.at(-1);
  await before.connection.stop();

  for (let i = 1; i <= 10; i++) {
    await api('POST', '/api/v1/accounts/HUB-A/invoices', { number: `HUB-INV-${i}`, issueDate: '2026-02-01', amount: i }, 201);
  }
  await new Promise(r => setTimeout(r, 300));
  // What the log holds for the topic after the last event this client saw (the invoices and the worklist's own events).
  const log = await api('GET', `/api/v1/events?topic=collector/collector-1&after=${seen.sequence}&limit=1000`, undefined, 200);

  const after = await join(collector1);
  try {
    const start = await after.connection.invoke('Resync', 'collector/collector-1', seen.sequence);
    assert.equal(start.afterSequence, seen.sequence);
    const missed = await after.events.waitFor(log.items.length);
    await new Promise(r => setTimeout(r, 300));

    assert.deepEqual(missed.map(m => m.sequence), log.items.map(e => e.sequence));
    assert.deepEqual(missed.map(m => m.sequence), Array.from({ length: log.items.length }, (_, i) => seen.sequence + 1 + i), 'no gap, no duplicate');
    assert.deepEqual(
      missed.filter(m => m.eventType === 'InvoiceIssued').map(m => m.payload.invoiceNumber ?? m.payload.InvoiceNumber),
      Array.from({ length: 10 }, (_, i) => `HUB-INV-${i + 1}`));
    assert.equal(after.events.received.length, log.items.length, 'nothing more than what was missed');
  } finally {
    await after.connection.stop();
  }
});

test('a collector cannot resync a topic outside their identity', async () => {
  const mine = await join(collector1);
  try {
    await assert.rejects(mine.connection.invoke('Resync', 'collector/collector-2', 0), /not one of them/);
    await assert.rejects(mine.connection.invoke('Resync', 'ledger', 0), /not one of them/);
  } finally {
    await mine.connection.stop();
  }
});
