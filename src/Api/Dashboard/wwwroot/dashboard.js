// The dashboard: sign in (demo people or a token), then the collector view or the team lead / manager view, kept live
// through /hubs/collections. Plain ES modules; @microsoft/signalr and Chart.js are served by the engine from /lib.
import { setToken, get, api, el, explain } from './app/api.js';
import { Live } from './app/live.js';
import { CollectorView } from './app/collector.js';
import { ManagerView } from './app/manager.js';

const status = document.getElementById('connection');
const announcements = document.getElementById('announcements');
const shownAnnouncements = 20;
let live = null;
let view = null;

function setStatus(state, text) {
  status.dataset.state = state;
  status.textContent = text;
}

function showAnnouncement(message) {
  const a = message.payload;
  const item = el('li', { dataset: { sequence: String(message.sequence), severity: a.severity } },
    el('div', { class: 'message' }, a.message),
    el('div', { class: 'meta' }, `${a.severity} · ${a.postedBy} · ${new Date(message.occurredAt).toLocaleString()}`));
  announcements.prepend(item);
  while (announcements.children.length > shownAnnouncements) announcements.lastElementChild.remove();
}

function onEvent(message) {
  if (message.topic === 'announcements') {
    showAnnouncement(message);
    return;
  }
  view?.onEvent(message);
}

async function signIn(token) {
  await live?.stop();
  setToken(token);
  setStatus('connecting', 'connecting');
  const me = await get('/me');
  document.getElementById('who-name').textContent = `${me.name ?? me.id} · ${me.role}${me.team ? ' · ' + me.team : ''}`;
  document.getElementById('who').hidden = false;
  document.getElementById('sign-in-view').hidden = true;
  view = me.role === 'collector' ? new CollectorView(me) : new ManagerView(me);
  live = new Live(token, {
    onEvent,
    onStatus: setStatus,
    // Resync replays exactly what was missed; a section whose events were replayed needs nothing else.
    onResynced: () => {},
  });
  await Promise.all([view.show(), live.start()]);
}

function fail(error) {
  setStatus('disconnected', 'disconnected: ' + explainStatus(error));
  document.getElementById('sign-in-error').textContent = explain(error);
}

function explainStatus(error) {
  return error?.status ? `${error.status} ${error.message}` : (error?.message ?? String(error));
}

document.getElementById('sign-in').addEventListener('submit', event => {
  event.preventDefault();
  const token = document.getElementById('token').value;
  sessionStorage.setItem('aractors.token', token);
  signIn(token).catch(fail);
});

document.getElementById('sign-out').addEventListener('click', async () => {
  sessionStorage.removeItem('aractors.token');
  await live?.stop();
  location.reload();
});

async function offerDemoUsers() {
  const res = await fetch('/api/v1/demo/users');
  if (!res.ok) return;
  const users = await res.json();
  document.getElementById('demo-user-list').replaceChildren(...users.map(u => el('li', {},
    el('button', {
      type: 'button', class: 'secondary', onclick: async () => {
        try {
          const session = await (await fetch('/api/v1/demo/sign-in', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userId: u.userId }) })).json();
          sessionStorage.setItem('aractors.token', session.token);
          await signIn(session.token);
        } catch (error) {
          fail(error);
        }
      },
    }, `${u.displayName} (${u.role}${u.team ? ', ' + u.team : ''})`))));
  document.getElementById('demo-users').hidden = false;
}

offerDemoUsers().catch(() => {});
const saved = sessionStorage.getItem('aractors.token');
if (saved) signIn(saved).catch(fail);

// The e2e tests read these to wait for the page; nothing in the page depends on them.
window.aractors = { get live() { return live; }, get view() { return view; }, api };
