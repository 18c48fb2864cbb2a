// Push-latency load: N @microsoft/signalr clients (one per collector) on a hub, payments POSTed at a fixed rate
// (open loop), latency from the driver's 2xx to the client's `event` carrying that payment id; sequence gaps per topic.
// Prints one JSON line (the last line of stdout) that bench/ArActors.Bench/Push/PushBenchmark.cs reads.
//
//   node push.mjs --mode engine --url http://127.0.0.1:5080 --signing-key KEY [--clients 500 --rate 1000 --seconds 20]
//   node push.mjs --mode bare   --url http://127.0.0.1:5081   (the bare hub of PushBenchmark: no engine, no store)
import { createHmac } from 'node:crypto';
import http from 'node:http';
import { performance, monitorEventLoopDelay } from 'node:perf_hooks';
import * as signalR from '@microsoft/signalr';

const options = Object.fromEntries(process.argv.slice(2).reduce((pairs, arg, i, all) =>
  arg.startsWith('--') ? [...pairs, [arg.slice(2), all[i + 1]]] : pairs, []));
const mode = options.mode ?? 'engine';
const baseUrl = options.url;
const clients = Number(options.clients ?? 500);
const rate = Number(options.rate ?? 1000);
const seconds = Number(options.seconds ?? 20);
const accountsPerCollector = 2;
const drainMs = 5_000;
const run = Math.random().toString(36).slice(2, 8);

const collectorId = i => `pb-c${i}`;
const accountId = i => `PB-${run}-${i}`;
const accounts = clients * accountsPerCollector;

function issueToken(signingKey, sub, role) {
  const b64url = value => Buffer.from(value).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const input = `${b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))}.${b64url(JSON.stringify({ iss: 'aractors', sub, name: sub, role, team: 'north', iat: now, exp: now + 3600 }))}`;
  return `${input}.${createHmac('sha256', Buffer.from(signingKey, 'base64')).update(input).digest('base64url')}`;
}

const managerToken = mode === 'engine' ? issueToken(options['signing-key'], 'pb-manager', 'manager') : null;

// node:http with a keep-alive pool: far cheaper per request than fetch, so the driver can hold the rate.
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
const target = new URL(baseUrl);

/** POSTs JSON; `onStatus` runs the moment the status line arrives (the acknowledgement), the promise when the body is read. */
function post(path, body, onStatus = () => {}) {
  const payload = JSON.stringify(body);
  const headers = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), ...(managerToken ? { authorization: `Bearer ${managerToken}` } : {}) };
  return new Promise((resolve, reject) => {
    const request = http.request({ host: target.hostname, port: target.port, path, method: 'POST', headers, agent }, res => {
      onStatus(res.statusCode);
      let text = '';
      res.setEncoding('utf8');
      res.on('data', chunk => { text += chunk; });
      res.on('end', () => resolve({ status: res.statusCode, text }));
      res.on('error', reject);
    });
    request.on('error', reject);
    request.end(payload);
  });
}

async function inParallel(count, width, work) {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < count) {
      await work(next++);
    }
  }));
}

// Accounts: each collector owns accountsPerCollector of them (engine only; the bare hub has no accounts).
if (mode === 'engine') {
  await inParallel(accounts, 32, async i => {
    const r = await post('/api/v1/accounts', {
      customerId: accountId(i), name: `Customer ${i}`, country: 'DE', timeZone: 'Europe/Berlin', currency: 'EUR',
      terms: { kind: 'net', days: 30 }, creditLimit: 10_000_000, segment: 'corporate', portfolio: 'north',
      assignedCollector: collectorId(i % clients),
    });
    if (r.status !== 201) throw new Error(`account ${i}: ${r.status} ${r.text}`);
  });
}

// Clients: one connection per collector over WebSockets; `joined` gives the sequence each topic starts after.
const receivedAt = new Map();
let received = 0;
let gaps = 0;
let repeats = 0;
const topicsWithGaps = new Set();
const connections = [];
await inParallel(clients, 25, async i => {
  const hubUrl = mode === 'engine' ? `${baseUrl}/hubs/collections` : `${baseUrl}/hub?collector=${collectorId(i)}`;
  const token = mode === 'engine' ? issueToken(options['signing-key'], collectorId(i), 'collector') : null;
  const connection = new signalR.HubConnectionBuilder()
    .withUrl(hubUrl, { transport: signalR.HttpTransportType.WebSockets, skipNegotiation: true, ...(token ? { accessTokenFactory: () => token } : {}) })
    .configureLogging(signalR.LogLevel.Error)
    .build();
  const last = new Map();
  const joined = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`client ${i}: no joined within 30 s`)), 30_000);
    connection.on('joined', topics => {
      for (const t of topics) last.set(t.topic, t.afterSequence);
      clearTimeout(timer);
      resolve();
    });
  });
  connection.on('event', message => {
    const now = performance.now();
    const previous = last.get(message.topic);
    if (previous !== undefined && message.sequence !== previous + 1) {
      if (message.sequence <= previous) {
        repeats++;
        return;
      }
      gaps += message.sequence - previous - 1;
      topicsWithGaps.add(message.topic);
    }
    last.set(message.topic, message.sequence);
    const paymentId = message.payload?.payment?.paymentId ?? message.payload?.Payment?.PaymentId;
    if (message.eventType === 'PaymentReceived' && paymentId && !receivedAt.has(paymentId)) {
      receivedAt.set(paymentId, now);
      received++;
    }
  });
  connection.on('resync', message => { gaps++; topicsWithGaps.add(`${message.topic} (resync)`); });
  await connection.start();
  await joined;
  connections.push(connection);
});

// Driver: open loop at `rate` payments/s in 5 ms ticks, payments round-robin over the accounts.
const ackedAt = new Map();
const sentAt = new Map();
let lastAckAt = 0;
let sent = 0;
let failed = 0;
let firstFailure = null;
const inFlight = new Set();
const loopDelay = monitorEventLoopDelay({ resolution: 10 });
loopDelay.enable();
const started = performance.now();
const tickMs = 5;
await new Promise(resolve => {
  const timer = setInterval(() => {
    const elapsed = performance.now() - started;
    if (elapsed >= seconds * 1000) {
      clearInterval(timer);
      resolve();
      return;
    }
    const due = Math.floor(elapsed / 1000 * rate);
    while (sent < due) {
      const n = sent++;
      const paymentId = `PBP-${run}-${n}`;
      const account = accountId(n % accounts);
      const body = { paymentId, amount: 1 + n % 50, currency: 'EUR', valueDate: '2026-11-20', method: 'bankTransfer' };
      sentAt.set(paymentId, performance.now());
      const onStatus = status => {
        if (status >= 200 && status < 300) {
          lastAckAt = performance.now();
          ackedAt.set(paymentId, lastAckAt);
        }
      };
      const path = mode === 'engine' ? `/api/v1/accounts/${account}/payments` : `/pay/${collectorId(n % accounts % clients)}`;
      const request = post(path, body, onStatus)
        .then(r => {
          if (r.status < 200 || r.status >= 300) {
            failed++;
            firstFailure ??= `${r.status} ${r.text.slice(0, 200)}`;
          }
        }, error => {
          failed++;
          firstFailure ??= String(error);
        });
      inFlight.add(request);
      request.finally(() => inFlight.delete(request));
    }
  }, tickMs);
});
const driveSeconds = (performance.now() - started) / 1000;
loopDelay.disable();
await Promise.all(inFlight);
const drainUntil = performance.now() + drainMs;
while (performance.now() < drainUntil && [...ackedAt.keys()].some(id => !receivedAt.has(id))) {
  await new Promise(r => setTimeout(r, 50));
}

const latencies = [];
let missing = 0;
for (const [id, acked] of ackedAt) {
  const at = receivedAt.get(id);
  if (at === undefined) missing++;
  else latencies.push(at - acked);
}
latencies.sort((a, b) => a - b);
const fromSend = [...ackedAt.keys()].filter(id => receivedAt.has(id)).map(id => receivedAt.get(id) - sentAt.get(id)).sort((a, b) => a - b);
const quantileOf = (sorted, q) => sorted.length === 0 ? null : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
const quantile = q => quantileOf(latencies, q);
await Promise.all(connections.map(c => c.stop()));

console.log(JSON.stringify({
  mode, clients, targetRate: rate, seconds: Number(driveSeconds.toFixed(2)), sent, acked: ackedAt.size, failed, firstFailure,
  // Over the span from the first request to the last 2xx: a server slower than the offered rate shows here.
  ackedPerSecond: Number((ackedAt.size / ((lastAckAt - started) / 1000)).toFixed(1)), sentPerSecond: Number((sent / driveSeconds).toFixed(1)), received, missing, gaps, repeats,
  topicsWithGaps: [...topicsWithGaps].slice(0, 10),
  p50: quantile(0.5), p99: quantile(0.99), max: latencies.at(-1) ?? null,
  sendP50: quantileOf(fromSend, 0.5), sendP99: quantileOf(fromSend, 0.99),
  earlierThanAck: latencies.filter(l => l < 0).length,
  loopDelayP99: Number((loopDelay.percentile(99) / 1e6).toFixed(1)),
}));
process.exit(0);
