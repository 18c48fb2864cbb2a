// Shared e2e harness: starts the engine as a real process, drives Debian's Chromium and the SignalR hub.
import { spawn } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, existsSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import * as signalR from '@microsoft/signalr';

export { signalR };

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(here, '..', '..');
export const artifactsDir = join(here, 'artifacts');
mkdirSync(artifactsDir, { recursive: true });

const siloDll = process.env.ARACTORS_SILO_DLL ?? join(repoRoot, 'src', 'Silo', 'bin', 'Debug', 'net10.0', 'ArActors.Silo.dll');

export function freePort() {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => ok(port));
    });
  });
}

/**
 * Starts the engine (the built ArActors.Silo.dll) on a free loopback port with its own data folder and waits for
 * /health/ready. Returns { url, stop, output }. `postgres: true` uses ARACTORS_TEST_PG instead of SQLite.
 */
export async function startEngine({ args = [], env = {}, readyTimeoutMs = 30_000 } = {}) {
  if (!existsSync(siloDll)) {
    throw new Error(`${siloDll} is missing: build the solution first (./test.sh does).`);
  }
  const port = await freePort();
  const workDir = mkdtempSync(join(tmpdir(), 'aractors-e2e-'));
  const url = `http://127.0.0.1:${port}`;
  const child = spawn('dotnet', [siloDll, '--urls', url, ...args], {
    cwd: workDir,
    env: { ...process.env, ConnectionStrings__Postgres: '', ASPNETCORE_ENVIRONMENT: 'Production', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', d => { output += d; });
  child.stderr.on('data', d => { output += d; });
  const exited = new Promise(res => child.once('exit', code => res(code)));

  const stop = async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(workDir, { recursive: true, force: true });
  };

  const deadline = Date.now() + readyTimeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`engine exited with ${child.exitCode} before it was ready:\n${output}`);
    }
    try {
      const res = await fetch(`${url}/health/ready`);
      if (res.ok) {
        return { url, stop, output: () => output };
      }
    } catch {
      // not listening yet
    }
    await new Promise(r => setTimeout(r, 100));
  }
  await stop();
  throw new Error(`engine not ready within ${readyTimeoutMs} ms:\n${output}`);
}

/** Headless Debian Chromium, with the flags this closed network needs. */
export function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/** A started connection to a hub of the engine through the official JavaScript client. */
export async function connectHub(baseUrl, path, { accessTokenFactory, withAutomaticReconnect = true, transport } = {}) {
  const options = { ...(accessTokenFactory ? { accessTokenFactory } : {}), ...(transport ? { transport, skipNegotiation: transport === signalR.HttpTransportType.WebSockets } : {}) };
  let builder = new signalR.HubConnectionBuilder()
    .withUrl(`${baseUrl}${path}`, options)
    .configureLogging(signalR.LogLevel.Warning);
  if (withAutomaticReconnect) {
    builder = builder.withAutomaticReconnect([0, 200, 500, 1000]);
  }
  const connection = builder.build();
  await connection.start();
  return connection;
}

/** A random base64 signing key for ArActors__Auth__SigningKey, so a test can issue user tokens the engine accepts. */
export function newSigningKey() {
  return randomBytes(32).toString('base64');
}

/** A user token (compact HS256 JWS) as src/Api/Security/SignedTokens issues it. */
export function issueToken(signingKey, { sub, name = sub, role, team, lifetimeSeconds = 3600, issuer = 'aractors' }) {
  const b64url = value => Buffer.from(value).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const payload = { iss: issuer, sub, name, role, ...(team ? { team } : {}), iat: now, exp: now + lifetimeSeconds };
  const input = `${b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))}.${b64url(JSON.stringify(payload))}`;
  const signature = createHmac('sha256', Buffer.from(signingKey, 'base64')).update(input).digest('base64url');
  return `${input}.${signature}`;
}

/** Collects a hub connection's `event` messages; `next(n)` resolves with the next n of them (rejects after timeoutMs). */
export function eventRecorder(connection, { timeoutMs = 5_000 } = {}) {
  const received = [];
  const waiters = [];
  connection.on('event', message => {
    received.push(message);
    for (const w of [...waiters]) {
      if (received.length >= w.count) {
        waiters.splice(waiters.indexOf(w), 1);
        clearTimeout(w.timer);
        w.resolve(received.slice(0, w.count));
      }
    }
  });
  return {
    received,
    /** Resolves when `count` events in total have arrived. */
    waitFor(count) {
      if (received.length >= count) return Promise.resolve(received.slice(0, count));
      return new Promise((resolve, reject) => {
        const w = { count, resolve };
        w.timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(w), 1);
          reject(new Error(`expected ${count} events within ${timeoutMs} ms, got ${received.length}: ${JSON.stringify(received.map(m => m.sequence))}`));
        }, timeoutMs);
        waiters.push(w);
      });
    },
  };
}
