// Collector view: the worklist in priority order, kept live by worklist events, and the drill-down of one account.
import { api, get, newId, money, el, flash, localTime, explain, engineNow, ApiError } from './api.js';

const BUCKET_COLOURS = ['#2f8f4e', '#9ac23c', '#e0b400', '#e07b00', '#c94a1a', '#8c1c13', '#5a0f0a'];
const SEGMENTS = ['consumer', 'corporate', 'leasingCompany', 'broker'];

export class CollectorView {
  constructor(me) {
    this.me = me;
    this.entries = new Map();
    this.currentId = null;
    this.account = null;
    this.refreshTimer = null;
    this.root = document.getElementById('collector-view');
    this.body = document.querySelector('#worklist tbody');
    this.result = document.getElementById('action-result');
    this.wireActions();
    this.clockTimer = setInterval(() => this.renderContacts(), 30_000);
  }

  async show() {
    this.root.hidden = false;
    await this.loadWorklist();
  }

  async loadWorklist() {
    const path = this.me.role === 'collector' ? '/worklists/me?top=200' : `/worklists/${encodeURIComponent(this.me.id)}?top=200`;
    const page = await get(path);
    this.entries = new Map(page.entries.map(e => [e.customerId, e]));
    this.total = page.total;
    this.renderWorklist(new Set());
  }

  /** Applies a worklist event in place and re-sorts; the changed row flashes. */
  onEvent(message) {
    const p = message.payload;
    const changed = new Set();
    switch (message.eventType) {
      case 'WorklistEntryAdded':
        this.entries.set(p.entry.customerId, p.entry);
        this.total = (this.total ?? 0) + 1;
        changed.add(p.entry.customerId);
        break;
      case 'WorklistEntryReprioritized': {
        const entry = this.entries.get(p.customerId);
        if (entry) this.entries.set(p.customerId, { ...entry, score: p.score });
        else this.loadWorklist().catch(() => {});
        changed.add(p.customerId);
        break;
      }
      case 'WorklistEntryRemoved':
        if (this.entries.delete(p.customerId)) this.total = Math.max(0, (this.total ?? 1) - 1);
        break;
      default:
        break;
    }
    if (message.eventType.startsWith('Worklist')) this.renderWorklist(changed);
    const customer = p.customerId ?? p.origin?.customerId ?? p.entry?.customerId ?? p.profile?.customerId;
    if (customer && customer === this.currentId) this.scheduleAccountRefresh();
  }

  sorted() {
    return [...this.entries.values()].sort((a, b) =>
      b.score.total - a.score.total
      || String(a.inputs.oldestPastDueDate ?? '9999').localeCompare(String(b.inputs.oldestPastDueDate ?? '9999'))
      || a.customerId.localeCompare(b.customerId));
  }

  renderWorklist(changed) {
    const rows = this.sorted().map((e, i) => {
      const open = el('button', { type: 'button', class: 'link', 'aria-label': `Open account ${e.customerId} ${e.name}`, onclick: () => this.open(e.customerId) },
        e.name, el('br'), el('span', { class: 'meta' }, e.customerId));
      const row = el('tr', { dataset: { customer: e.customerId, score: String(e.score.total) }, class: e.customerId === this.currentId ? 'selected' : '' },
        el('td', {}, String(i + 1)), el('td', {}, open),
        el('td', { class: 'num' }, money(e.inputs.pastDueAmount, e.currency)),
        el('td', { class: 'num' }, String(e.score.total)));
      if (changed.has(e.customerId)) flash(row);
      return row;
    });
    this.body.replaceChildren(...rows);
    document.getElementById('worklist-total').textContent = `${this.entries.size} shown${this.total > this.entries.size ? ` of ${this.total}` : ''}`;
    document.getElementById('worklist-empty').hidden = this.entries.size > 0;
  }

  scheduleAccountRefresh() {
    clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => this.loadAccount().catch(e => this.say(explain(e), true)), 150);
  }

  async open(customerId) {
    this.currentId = customerId;
    this.result.textContent = '';
    for (const row of this.body.children) row.classList.toggle('selected', row.dataset.customer === customerId);
    await this.loadAccount();
  }

  async loadAccount() {
    const id = encodeURIComponent(this.currentId);
    const [account, invoices, promises, activities] = await Promise.all([
      api('GET', `/accounts/${id}`), get(`/accounts/${id}/invoices`), get(`/accounts/${id}/promises`), get(`/accounts/${id}/activities`),
    ]);
    this.account = { ...account.json, etag: account.etag, invoices: invoices.items, promises: promises.promises, activities: activities.activities };
    this.renderAccount();
  }

  renderAccount() {
    const a = this.account;
    const { profile, summary } = a;
    const currency = profile.currency;
    document.getElementById('account-hint').hidden = true;
    document.getElementById('account-body').hidden = false;
    document.getElementById('account-title').textContent = `${profile.name} · ${profile.customerId}`;
    document.getElementById('acct-balance').textContent = money(summary.openBalance.amount, currency);
    document.getElementById('acct-pastdue').textContent = money(summary.pastDueBalance.amount, currency);
    document.getElementById('acct-oldest').textContent = `${summary.oldestDaysPastDue} days`;
    document.getElementById('acct-segment').textContent = typeof profile.segment === 'number' ? SEGMENTS[profile.segment] : profile.segment;

    const total = summary.buckets.reduce((s, b) => s + b.amount, 0) || 1;
    const bar = document.getElementById('acct-aging');
    bar.setAttribute('aria-label', 'Aging: ' + summary.buckets.map(b => `${b.bucket} ${money(b.amount, currency)}`).join(', '));
    bar.replaceChildren(...summary.buckets.map((b, i) => el('span', { style: `width:${(100 * b.amount / total).toFixed(2)}%;background:${BUCKET_COLOURS[i]}`, title: `${b.bucket}: ${money(b.amount, currency)}` })));
    document.getElementById('acct-aging-legend').replaceChildren(...summary.buckets.map((b, i) =>
      el('li', {}, el('i', { style: `background:${BUCKET_COLOURS[i]}` }), `${b.bucket} ${money(b.amount, currency)}`)));

    this.renderContacts();

    const open = a.invoices.filter(i => i.status !== 'paid' && i.status !== 'cancelled' && i.status !== 'writtenOff');
    for (const select of this.root.querySelectorAll('.invoice-select')) {
      select.replaceChildren(...open.map(i => el('option', { value: i.number }, `${i.number} · ${money(i.openAmount.amount, currency)} · ${i.status}`)));
    }
    for (const select of this.root.querySelectorAll('.contact-select')) {
      select.replaceChildren(...profile.contacts.map(c => el('option', { value: c.name }, `${c.name} (${c.role})`)));
    }
    const inDays = days => { const d = engineNow(); d.setUTCDate(d.getUTCDate() + days); return d.toISOString().slice(0, 10); };
    for (const input of this.root.querySelectorAll('input[type=date]')) if (!input.value) input.value = inDays(7);

    document.querySelector('#acct-invoices tbody').replaceChildren(...a.invoices.map(i => el('tr', { dataset: { invoice: i.number } },
      el('td', {}, i.number), el('td', {}, i.dueDate), el('td', { class: 'num' }, money(i.openAmount.amount, currency)),
      el('td', {}, i.agingBucket), el('td', {}, i.status))));

    document.getElementById('acct-promises').replaceChildren(...(a.promises.length ? a.promises.map(p => el('li', {},
      `${money(p.promise?.amount?.amount ?? p.amount?.amount, currency)} by ${p.promise?.date ?? p.date} · ${p.status ?? 'open'}`)) : [el('li', { class: 'meta' }, 'No promises.')]));
    const disputed = a.invoices.filter(i => i.status === 'disputed');
    document.getElementById('acct-disputes').replaceChildren(...(disputed.length ? disputed.map(i => el('li', {},
      `${i.number} · ${money(i.openAmount.amount, currency)} disputed`)) : [el('li', { class: 'meta' }, 'No open disputes.')]));
    const timeline = [...a.activities].reverse().map(r => el('li', {},
      el('strong', {}, `${r.activity.kind}${r.activity.outcome ? ' · ' + r.activity.outcome : ''}`),
      ` ${r.activity.contactName ?? ''} on ${r.activity.debt}`, r.activity.nextActionOn ? ` · next action ${r.activity.nextActionOn}` : '',
      r.activity.note ? ` · “${r.activity.note}”` : '',
      el('div', { class: 'meta' }, `${new Date(r.at).toLocaleString()} · ${r.by.id}`)));
    document.getElementById('acct-timeline').replaceChildren(...(timeline.length ? timeline : [el('li', { class: 'meta' }, 'Nothing logged yet.')]));
  }

  /** Each contact's local time and whether the usual calling hours allow a call now; the engine's guard decides when one is logged. */
  renderContacts() {
    if (!this.account) return;
    const { profile } = this.account;
    const now = engineNow();
    const segment = typeof profile.segment === 'number' ? SEGMENTS[profile.segment] : profile.segment;
    const hour = Number(new Intl.DateTimeFormat('en-GB', { timeZone: profile.timeZone, hour: '2-digit', hourCycle: 'h23' }).format(now));
    document.getElementById('acct-contacts').replaceChildren(...profile.contacts.map(c => {
      const refused = this.nextPermitted?.customerId === profile.customerId && new Date(this.nextPermitted.at) > now ? this.nextPermitted.at : null;
      const noPhone = c.doNotContact === 'phone' || c.doNotContact === 'all';
      const hoursApply = segment === 'consumer';
      const inHours = !hoursApply || (hour >= 8 && hour < 21);
      let ok = !noPhone && inHours && !refused;
      let text;
      if (noPhone) text = 'do not call';
      else if (refused) text = `next permitted ${localTime(new Date(refused), profile.timeZone)} their time`;
      else if (!inHours) text = 'outside 08:00–21:00 their time';
      else text = 'can call now';
      return el('li', {}, el('strong', {}, c.name), ` (${c.role}) · ${c.phone ?? ''} · ${c.email ?? ''} · local time `,
        el('span', { class: 'local-time' }, localTime(now, profile.timeZone)), ' ',
        el('span', { class: 'can-call', dataset: { ok: String(ok) } }, text));
    }));
  }

  say(text, refused = false) {
    this.result.dataset.kind = refused ? 'refused' : 'ok';
    this.result.textContent = text;
  }

  wireActions() {
    const on = (id, handler) => document.getElementById(id).addEventListener('submit', async event => {
      event.preventDefault();
      if (!this.account) return;
      const form = event.target;
      const data = Object.fromEntries(new FormData(form));
      const button = form.querySelector('button');
      button.disabled = true;
      try {
        this.say(await handler(data, encodeURIComponent(this.account.profile.customerId)));
        await this.loadAccount();
      } catch (error) {
        this.refused(error);
      } finally {
        button.disabled = false;
      }
    });

    on('log-activity', async (d, id) => {
      await api('POST', `/accounts/${id}/activities`, {
        id: newId('act'), kind: d.kind, contactName: d.contactName, debt: d.debt, outcome: d.kind === 'call' ? d.outcome : null, note: d.note || null,
      });
      return `${d.kind === 'call' ? 'Call' : 'E-mail'} to ${d.contactName} logged.`;
    });
    on('record-promise', async (d, id) => {
      await api('POST', `/accounts/${id}/promises`, { id: newId('ptp'), amount: Number(d.amount), date: d.date, invoiceNumbers: [d.invoice] });
      return `Promise of ${money(Number(d.amount), this.account.profile.currency)} by ${d.date} recorded.`;
    });
    on('open-dispute', async (d, id) => {
      await api('POST', `/accounts/${id}/invoices/${encodeURIComponent(d.invoice)}/dispute`, { reason: d.reason }, { 'If-Match': this.account.etag });
      return `Invoice ${d.invoice} is now disputed; its reminders pause.`;
    });
    on('request-write-off', async (d, id) => {
      await api('POST', `/accounts/${id}/write-offs`, {
        writeOffId: newId('wo'), invoiceNumber: d.invoice, amount: Number(d.amount), currency: this.account.profile.currency, reason: d.reason,
      }, { 'If-Match': this.account.etag });
      return `Write-off of ${money(Number(d.amount), this.account.profile.currency)} on ${d.invoice} requested.`;
    });
    on('set-next-action', async (d, id) => {
      await api('POST', `/accounts/${id}/activities`, { id: newId('next'), kind: 'note', debt: d.debt, nextActionOn: d.date, note: d.note });
      return `Next action on ${d.date}: ${d.note}.`;
    });
  }

  refused(error) {
    if (error instanceof ApiError && error.problem.code === 'contact_not_permitted') {
      const next = error.problem.nextPermitted;
      const zone = this.account.profile.timeZone;
      this.nextPermitted = next ? { customerId: this.account.profile.customerId, at: next } : null;
      this.renderContacts();
      const when = next ? ` Next permitted: ${new Date(next).toLocaleString('en-GB', { timeZone: zone, dateStyle: 'medium', timeStyle: 'short' })} their time (${zone}).` : '';
      this.say(`Not permitted: ${error.problem.detail}${when} Nothing was logged.`, true);
      return;
    }
    this.say(`Refused: ${explain(error)}`, true);
  }
}
