import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startEngine, connectHub, issueToken, newSigningKey, eventRecorder, signalR } from './harness.mjs';

let engine;
const signingKey = newSigningKey();
const manager = issueToken(signingKey, { sub: 'm-1', name: 'Mia Manager', role: 'manager' });
const collector = issueToken(signingKey, { sub: 'c-1', name: 'Cole Collector', role: 'collector', team: 'north' });

before(async () => {
  engine = await startEngine({ env: { ArActors__Auth__SigningKey: signingKey } });
});

after(async () => {
  await engine?.stop();
});

async function announce(message, severity = 'info') {
  const res = await fetch(`${engine.url}/api/v1/announcements`, {
    method: 'POST',
    headers: { authorization: `Bearer ${manager}`, 'content-type': 'application/json' },
    body: JSON.stringify({ message, severity }),
  });
  assert.equal(res.status, 201, await res.clone().text());
  return res.json();
}

test('a subscribed client receives an announcement posted through the API', async () => {
  // WebSockets without negotiation: the token can only travel as the access_token query value.
  const connection = await connectHub(engine.url, '/hubs/events', { accessTokenFactory: () => collector, transport: signalR.HttpTransportType.WebSockets });
  try {
    const events = eventRecorder(connection);
    const start = await connection.invoke('Subscribe', 'announcements', null);
    assert.equal(start.topic, 'announcements');

    const posted = await announce('Bank file delayed', 'warning');
    const [message] = await events.waitFor(1);

    assert.equal(message.topic, 'announcements');
    assert.equal(message.sequence, posted.sequence);
    assert.equal(message.sequence, start.afterSequence + 1);
    assert.equal(message.eventType, 'AnnouncementPosted');
    assert.equal(new Date(message.occurredAt).toISOString(), new Date(posted.announcement.postedAt).toISOString());
    assert.deepEqual(message.payload, posted.announcement);
    assert.equal(message.payload.postedBy, 'Mia Manager');
  } finally {
    await connection.stop();
  }
});

test('a client that reconnects with its last sequence receives exactly what it missed, in order, then live events', async () => {
  const first = await connectHub(engine.url, '/hubs/events', { accessTokenFactory: () => collector, withAutomaticReconnect: false });
  const firstEvents = eventRecorder(first);
  await first.invoke('Subscribe', 'announcements', null);
  const seen = await announce('before the drop');
  const [last] = await firstEvents.waitFor(1);
  assert.equal(last.sequence, seen.sequence);
  await first.stop();

  const missed = [await announce('missed one'), await announce('missed two')];

  const second = await connectHub(engine.url, '/hubs/events', { accessTokenFactory: () => collector });
  try {
    const events = eventRecorder(second);
    await second.invoke('Subscribe', 'announcements', last.sequence);
    const caughtUp = await events.waitFor(2);
    assert.deepEqual(caughtUp.map(m => [m.sequence, m.payload.message]), missed.map(p => [p.sequence, p.announcement.message]));

    // The next event is the live one: nothing repeated, nothing skipped at the catch-up/live seam.
    const live = await announce('live again');
    const all = await events.waitFor(3);
    assert.deepEqual(all.map(m => m.sequence), [last.sequence + 1, last.sequence + 2, live.sequence]);
    assert.equal(live.sequence, last.sequence + 3);
  } finally {
    await second.stop();
  }
});

test('a subscribe the caller may not read is refused and delivers nothing', async () => {
  const connection = await connectHub(engine.url, '/hubs/events', { accessTokenFactory: () => collector });
  try {
    const events = eventRecorder(connection);
    await assert.rejects(connection.invoke('Subscribe', 'ledger', 0), /Role 'collector' may not read topic 'ledger'\./);
    await assert.rejects(connection.invoke('Subscribe', 'payments', 0), /Unknown topic 'payments'/);

    // The connection stays usable, and only the allowed subscription delivers.
    await connection.invoke('Subscribe', 'announcements', null);
    const posted = await announce('after the refusal');
    const received = await events.waitFor(1);
    assert.deepEqual(received.map(m => [m.topic, m.sequence]), [['announcements', posted.sequence]]);
  } finally {
    await connection.stop();
  }
});

test('a client without a valid token cannot connect', async () => {
  await assert.rejects(connectHub(engine.url, '/hubs/events', { withAutomaticReconnect: false }), /401/);
  const forged = collector.slice(0, -4) + (collector.endsWith('AAAA') ? 'BBBB' : 'AAAA');
  await assert.rejects(connectHub(engine.url, '/hubs/events', { accessTokenFactory: () => forged, withAutomaticReconnect: false }), /401/);
});

test('after Unsubscribe the client receives no more events of the topic', async () => {
  const connection = await connectHub(engine.url, '/hubs/events', { accessTokenFactory: () => collector });
  const witness = await connectHub(engine.url, '/hubs/events', { accessTokenFactory: () => manager });
  try {
    const events = eventRecorder(connection);
    const witnessed = eventRecorder(witness);
    await connection.invoke('Subscribe', 'announcements', null);
    await witness.invoke('Subscribe', 'announcements', null);
    await announce('while subscribed');
    await events.waitFor(1);

    await connection.invoke('Unsubscribe', 'announcements');
    const later = await announce('after unsubscribing');
    const [seenByWitness] = (await witnessed.waitFor(2)).slice(1);

    assert.equal(seenByWitness.sequence, later.sequence);
    assert.equal(events.received.length, 1);
  } finally {
    await connection.stop();
    await witness.stop();
  }
});
