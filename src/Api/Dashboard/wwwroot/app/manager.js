// Team lead and manager view: KPIs, charts, escalations, approvals, team queues, top delinquent accounts, unallocated
// cash and imports. Loaded once by REST, then kept current by hub events (a section reloads when an event concerns it).
import { api, get, money, el, flash, explain, engineNow, ApiError } from './api.js';

const COLOURS = ['#2f8f4e', '#9ac23c', '#e0b400', '#e07b00', '#c94a1a', '#8c1c13', '#5a0f0a'];

export class ManagerView {
  constructor(me) {
    this.me = me;
    this.root = document.getElementById('manager-view');
    this.result = document.getElementById('manager-result');
    this.escalations = new Map();
    this.approvals = new Map();
    this.charts = {};
    this.reloads = new Map();
    this.collectors = [];
    // Reassignment replaces the account's master data, which only managers and admins may do.
    this.canReassign = me.role === 'manager' || me.role === 'admin';
  }

  async show() {
    this.root.hidden = false;
    document.getElementById('manager-scope').textContent = this.me.role === 'team-lead' ? `· portfolio ${this.me.team}` : '· whole book';
    await Promise.all([
      this.loadKpis(), this.loadCharts(), this.loadQueues(), this.loadUnallocated(), this.loadEscalations(),
    ].map(p => p.catch(e => this.say(explain(e)))));
  }

  say(text) { this.result.textContent = text; }

  month(offset) {
    const d = engineNow();
    const m = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + offset, 1));
    return m.toISOString().slice(0, 7);
  }

  async loadKpis() {
    const [aging, dso, cei] = await Promise.all([
      get('/reports/aging'), get(`/reports/dso?month=${this.month(0)}`), get(`/reports/cei?month=${this.month(-1)}`).catch(() => null),
    ]);
    const all = aging.rows[0] ?? { total: 0, pastDue: 0, pastDuePercent: 0 };
    const d = dso.rows[0] ?? {};
    const c = cei?.rows?.[0];
    this.kpi = {
      currency: aging.reportingCurrency,
      openAr: all.total, pastDue: all.pastDue, pastDuePercent: all.pastDuePercent,
      dso: d.countBackDso ?? d.dso, bestDso: d.bestPossibleDso, add: d.averageDaysDelinquent !== undefined && d.countBackDso !== undefined ? d.countBackDso - d.bestPossibleDso : d.averageDaysDelinquent,
      cei: c?.cei, ceiMonth: this.month(-1), lag: aging.projection?.lag ?? 0,
    };
    await this.loadCollectionKpis(false);
  }

  /** Month-to-date promise-kept rate and cash collected against target (null where no target is configured). */
  async loadCollectionKpis(render = true) {
    const month = this.month(0);
    const [promises, cash] = await Promise.all([
      get(`/reports/promises?month=${month}`).catch(() => null), get(`/reports/cash-vs-target?month=${month}`).catch(() => null),
    ]);
    const p = promises?.rows?.[0];
    const c = cash?.rows?.[0];
    const changed = new Set();
    if (this.kpi.promiseKeptRate !== undefined && p?.promiseKeptRate !== this.kpi.promiseKeptRate) changed.add('promise-kept');
    if (this.kpi.cashCollected !== undefined && c?.collected !== this.kpi.cashCollected) changed.add('cash-vs-target');
    Object.assign(this.kpi, { promiseKeptRate: p?.promiseKeptRate ?? null, cashCollected: c?.collected ?? null, cashTarget: c?.target ?? null, cashPercent: c?.percentOfTarget ?? null });
    this.renderKpis(render ? changed : new Set());
  }

  renderKpis(changed) {
    const k = this.kpi;
    const fmt = (v, digits = 1) => v === undefined || v === null ? '–' : Number(v).toFixed(digits);
    const tiles = [
      ['open-ar', 'Open receivables', money(k.openAr, k.currency)],
      ['past-due', 'Past due', money(k.pastDue, k.currency)],
      ['past-due-percent', 'Past due %', `${fmt(k.pastDuePercent)} %`],
      ['dso', 'DSO (count-back, days)', fmt(k.dso)],
      ['add', 'ADD (DSO − best, days)', fmt(k.add)],
      ['cei', `CEI ${k.ceiMonth}`, k.cei === undefined ? '–' : `${fmt(k.cei)} %`],
      ['best-dso', 'Best possible DSO', fmt(k.bestDso)],
      ['promise-kept', `Promises kept ${this.month(0)}`, k.promiseKeptRate === null || k.promiseKeptRate === undefined ? '–' : `${fmt(k.promiseKeptRate)} %`],
      ['cash-vs-target', k.cashTarget === null || k.cashTarget === undefined ? `Cash ${this.month(0)}, no target` : `Cash ${this.month(0)} of ${money(k.cashTarget, k.currency)}`,
        k.cashCollected === null || k.cashCollected === undefined ? '–' : money(k.cashCollected, k.currency)],
    ];
    document.getElementById('kpis').replaceChildren(...tiles.map(([id, label, value]) => {
      const tile = el('div', { class: 'tile', dataset: { kpi: id } }, el('span', { class: 'label' }, label), el('strong', {}, value));
      if (changed.has(id)) flash(tile);
      return tile;
    }));
  }

  /** Each chart loads on its own, so a report the role may not read leaves a note in its box and the others draw. */
  async loadCharts() {
    const months = [-5, -4, -3, -2, -1, 0].map(o => this.month(o));
    await Promise.all([
      this.drawn('aging', 'aging-chart', async () => {
        const aging = await get(`/reports/aging?by=portfolio`);
        const labels = aging.rows[0]?.buckets.map(b => b.label) ?? [];
        return {
          type: 'bar',
          data: { labels: aging.rows.map(r => r.group), datasets: labels.map((label, i) => ({ label, data: aging.rows.map(r => r.buckets[i].amount), backgroundColor: COLOURS[i] })) },
          options: { indexAxis: 'y', scales: { x: { stacked: true }, y: { stacked: true } } },
        };
      }),
      this.drawn('dso', 'dso-chart', async () => {
        const dso = await Promise.all(months.map(m => get(`/reports/dso?month=${m}`).catch(() => null)));
        return {
          type: 'line',
          data: { labels: months, datasets: [{ label: 'DSO (count-back)', data: dso.map(d => d?.rows?.[0]?.countBackDso ?? null), borderColor: '#1f4fd1', tension: .2 }] },
        };
      }),
      this.drawn('forecast', 'forecast-chart', async () => {
        const forecast = await get('/reports/forecast/cash');
        const weeks = forecast.report.forecast.weeks;
        return {
          type: 'bar',
          data: { labels: weeks.map(w => `W${w.week} ${w.start.slice(5)}`), datasets: [{ label: `Expected cash (${forecast.reportingCurrency})`, data: weeks.map(w => w.expected), backgroundColor: '#1f4fd1' }] },
        };
      }),
    ]);
  }

  async drawn(key, canvasId, configure) {
    const note = document.getElementById(canvasId).parentElement.querySelector('.note') ?? document.getElementById(canvasId).parentElement.appendChild(el('p', { class: 'note meta' }));
    try {
      this.chart(key, canvasId, await configure());
      note.textContent = '';
    } catch (error) {
      note.textContent = error instanceof ApiError && error.status === 403 ? `Not shown: ${explain(error)}` : explain(error);
    }
  }

  chart(key, canvasId, config) {
    this.charts[key]?.destroy();
    config.options = { responsive: true, maintainAspectRatio: false, animation: false, plugins: { legend: { labels: { boxWidth: 10, font: { size: 10 } } } }, ...config.options };
    this.charts[key] = new Chart(document.getElementById(canvasId), config);
  }

  /** The collectors to show: from the aging report by collector (each row is a collector with receivables). */
  async loadQueues() {
    this.collectors = await this.collectorIds();
    const queues = await Promise.all(this.collectors.map(c => get(`/worklists/${encodeURIComponent(c)}?top=5`).catch(() => null)));
    this.queues = new Map(this.collectors.map((c, i) => [c, queues[i]]).filter(([, q]) => q));
    this.renderQueues();
  }

  /**
   * Managers: the collectors of the aging report by collector. Team leads may read only their portfolio's figures, so
   * for them the collectors of their team's worklist (every collector holding accounts of the team's portfolio).
   */
  async collectorIds() {
    if (this.me.role === 'team-lead') {
      const team = await get(`/worklists/teams/${encodeURIComponent(this.me.team)}?top=1`);
      return team.queues.map(q => q.collectorId).sort();
    }
    const aging = await get('/reports/aging?by=collector');
    return aging.rows.map(r => r.group).filter(g => g && g !== '(none)').sort();
  }

  renderQueues() {
    if (this.queues.size === 0) return;
    const container = document.getElementById('queues');
    // A re-render (after events) keeps the queues the reader opened or closed.
    this.openQueues ??= new Set(this.collectors.slice(0, 1));
    container.replaceChildren(...[...this.queues].map(([collector, q]) => el('details', {
      class: 'queue', dataset: { collector }, open: this.openQueues.has(collector),
      ontoggle: event => { if (event.target.open) this.openQueues.add(collector); else this.openQueues.delete(collector); },
    },
      el('summary', {}, `${collector}: ${q.total} accounts need action`),
      el('table', { class: 'grid' }, el('tbody', {}, q.entries.map(e => el('tr', { dataset: { customer: e.customerId } },
        el('td', {}, `${e.name} (${e.customerId})`), el('td', { class: 'num' }, money(e.inputs.pastDueAmount, e.currency)),
        this.canReassign ? el('td', {}, this.reassignControl(e.customerId, collector)) : null)))))));
    const top = [...this.queues].flatMap(([collector, q]) => q.entries.map(e => ({ ...e, collector })))
      .sort((a, b) => b.inputs.pastDueAmount - a.inputs.pastDueAmount).slice(0, 10);
    document.querySelector('#top-delinquent tbody').replaceChildren(...top.map(e => el('tr', {},
      el('td', {}, `${e.name} (${e.customerId})`), el('td', {}, e.collector),
      el('td', { class: 'num' }, money(e.inputs.pastDueAmount, e.currency)), el('td', { class: 'num' }, e.inputs.oldestPastDueDate ?? '–'))));
  }

  reassignControl(customerId, current) {
    const select = el('select', { 'aria-label': `New collector for ${customerId}` },
      this.collectors.filter(c => c !== current).map(c => el('option', { value: c }, c)));
    const button = el('button', { type: 'button', class: 'secondary', onclick: () => this.reassign(customerId, select.value) }, 'Reassign');
    return el('span', { class: 'buttons' }, select, ' ', button);
  }

  /** PUT of the account's master data with the new collector, guarded by its ETag. */
  async reassign(customerId, collector) {
    try {
      const { json, etag } = await api('GET', `/accounts/${encodeURIComponent(customerId)}`);
      const p = json.profile;
      const terms = { kind: p.terms.$type ?? p.terms.kind, days: p.terms.days };
      await api('PUT', `/accounts/${encodeURIComponent(customerId)}`, {
        customerId: p.customerId, name: p.name, country: p.country, timeZone: p.timeZone, currency: p.currency, terms,
        creditLimit: p.creditLimit, segment: p.segment, portfolio: p.portfolio, assignedCollector: collector, contacts: p.contacts,
      }, { 'If-Match': etag });
      this.say(`${customerId} reassigned to ${collector}.`);
    } catch (error) {
      this.say(`Reassignment refused: ${explain(error)}`);
    }
  }

  async loadUnallocated() {
    if (this.me.role === 'team-lead') {
      document.querySelector('#unallocated tbody').replaceChildren(el('tr', {}, el('td', { colspan: 4, class: 'meta' }, 'Managers apply unidentified cash.')));
      return;
    }
    const list = await get('/unallocated-cash');
    document.querySelector('#unallocated tbody').replaceChildren(...(list.items.length ? list.items.map(i => el('tr', {},
      el('td', {}, i.payment.paymentId), el('td', {}, i.receivedOn), el('td', { class: 'num' }, money(i.payment.amount.amount, i.payment.amount.currency)),
      el('td', { class: 'num' }, `${i.ageDays} d`))) : [el('tr', {}, el('td', { colspan: 4, class: 'meta' }, 'No unallocated cash.'))]));
    document.getElementById('unallocated-totals').textContent = Object.entries(list.totalsByCurrency).map(([c, a]) => `Total ${money(a, c)}`).join(' · ');
  }

  /** Open and acknowledged escalation records; the hub adds new ones (EscalationRecorded) and moves them on live. */
  async loadEscalations() {
    for (const status of ['open', 'acknowledged']) {
      // The list is paged (500 a page at most); follow `next` until the last page.
      let cursor = null;
      do {
        const list = await get(`/escalations?status=${status}&limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
        for (const e of list.escalations) this.addEscalation(e, false);
        cursor = list.next;
      } while (cursor);
    }
  }

  /** One feed item per escalation record (id, customerId, reason, to, portfolio, raisedOn, openAmount, status). */
  addEscalation(e, live) {
    const id = e.id;
    if (this.escalations.has(id)) return;
    this.escalations.set(id, e);
    const note = el('input', { 'aria-label': `Note for escalation ${id}`, placeholder: 'note', maxlength: 500 });
    const to = e.to === 0 || e.to === 'teamLead' ? 'team lead' : e.to === 1 || e.to === 'salesOwner' ? 'sales owner' : e.to === 2 || e.to === 'manager' ? 'manager' : e.to ?? '';
    const item = el('li', { dataset: { escalation: id, customer: e.customerId, status: statusName(e.status) } },
      el('strong', {}, `${e.customerId} · ${money(e.openAmount?.amount, e.openAmount?.currency)}`),
      el('div', {}, e.reason ?? ''),
      el('div', { class: 'meta' }, `${id} · to ${to} · portfolio ${e.portfolio ?? ''} · ${e.raisedOn ?? ''}`),
      el('div', { class: 'buttons' },
        el('button', { type: 'button', onclick: () => this.act(id, 'acknowledgement', note.value, item) }, 'Acknowledge'),
        note,
        el('button', { type: 'button', class: 'secondary', onclick: () => this.act(id, 'resolution', note.value, item) }, 'Resolve')),
      el('div', { class: 'outcome meta', role: 'alert' }));
    document.getElementById('escalations').prepend(item);
    if (live) flash(item);
    this.renderCounts();
  }

  /** A record changed elsewhere (another lead, another tab): acknowledged items stay, resolved ones leave the feed. */
  updateEscalation(e) {
    const item = document.querySelector(`#escalations li[data-escalation="${CSS.escape(e.id)}"]`);
    if (!item) return;
    if (statusName(e.status) === 'resolved') {
      item.remove();
      this.escalations.delete(e.id);
    } else {
      item.dataset.status = statusName(e.status);
    }
    this.renderCounts();
  }

  async act(id, what, note, item) {
    const outcome = item.querySelector('.outcome');
    try {
      await api('POST', `/escalations/${encodeURIComponent(id)}/${what}`, { note: note || (what === 'resolution' ? 'resolved' : 'acknowledged') });
      if (what === 'resolution') {
        item.remove();
        this.escalations.delete(id);
      } else if (item.isConnected) {
        item.dataset.status = 'acknowledged';
        outcome.textContent = 'Acknowledged.';
      }
    } catch (error) {
      outcome.textContent = `Could not ${what === 'resolution' ? 'resolve' : 'acknowledge'}: ${explain(error)}`;
    }
    this.renderCounts();
  }

  addApproval(message) {
    const p = message.payload;
    const key = `${p.customerId}/${p.writeOffId}`;
    if (this.approvals.has(key)) return;
    this.approvals.set(key, p);
    const reason = el('input', { 'aria-label': `Reason for write-off ${p.writeOffId}`, placeholder: 'reason', maxlength: 500 });
    const item = el('li', { dataset: { writeOff: p.writeOffId } },
      el('strong', {}, `${p.customerId} · ${p.invoiceNumber} · ${money(p.amount.amount, p.amount.currency)}`),
      el('div', { class: 'meta' }, `requested by ${p.audit?.actor?.id ?? '?'}${p.audit?.reason ? ': ' + p.audit.reason : ''}`),
      el('div', { class: 'buttons' },
        el('button', { type: 'button', onclick: () => this.decide(key, p, 'approval', reason.value, item) }, 'Approve'),
        reason,
        el('button', { type: 'button', class: 'secondary', onclick: () => this.decide(key, p, 'rejection', reason.value, item) }, 'Reject')),
      el('div', { class: 'outcome meta', role: 'alert' }));
    document.getElementById('approvals').prepend(item);
    flash(item);
    this.renderCounts();
  }

  async decide(key, p, what, reason, item) {
    try {
      await api('POST', `/accounts/${encodeURIComponent(p.customerId)}/write-offs/${encodeURIComponent(p.writeOffId)}/${what}`, { reason: reason || (what === 'approval' ? 'approved' : 'rejected') });
      item.remove();
      this.approvals.delete(key);
    } catch (error) {
      item.querySelector('.outcome').textContent = `Refused: ${explain(error)}`;
    }
    this.renderCounts();
  }

  renderCounts() {
    document.getElementById('escalations-empty').hidden = this.escalations.size > 0;
    document.getElementById('escalation-count').textContent = this.escalations.size ? `(${this.escalations.size})` : '';
    document.getElementById('approvals-empty').hidden = this.approvals.size > 0;
  }

  /** Runs a section's reload at most once per second however many events ask for it. */
  reload(name, load) {
    if (this.reloads.has(name)) return;
    this.reloads.set(name, setTimeout(() => {
      this.reloads.delete(name);
      load.call(this).catch(e => this.say(explain(e)));
    }, 1000));
  }

  onEvent(message) {
    const p = message.payload;
    switch (message.eventType) {
      case 'EscalationRecorded': this.addEscalation(p.escalation, true); return;
      case 'EscalationAcknowledged': case 'EscalationResolved': this.updateEscalation(p.escalation); return;
      case 'WriteOffRequested': this.addApproval(message); return;
      case 'WriteOffApproved': case 'WriteOffRejected':
        for (const [key, a] of this.approvals) if (a.writeOffId === p.writeOffId && a.customerId === p.customerId) {
          this.approvals.delete(key);
          document.querySelector(`#approvals li[data-write-off="${CSS.escape(p.writeOffId)}"]`)?.remove();
        }
        this.renderCounts();
        break;
      case 'KpiSnapshot': this.applyKpi(p); return;
      case 'ImportProgressed': this.showImport(p); return;
      default: break;
    }
    if (/^(Payment|Invoice|Credit|WriteOff|Account)/.test(message.eventType)) {
      this.reload('queues', this.loadQueues);
      if (this.me.role === 'team-lead') this.reload('kpis', this.loadKpis);
    }
    if (/Unidentified|Unallocated|CashIdentified/.test(message.eventType)) this.reload('unallocated', this.loadUnallocated);
    if (message.eventType.startsWith('Worklist')) this.reload('queues', this.loadQueues);
  }

  applyKpi(snapshot) {
    if (snapshot.dimension !== 'all' || !this.kpi) return;
    const f = snapshot.figures[0];
    const changed = new Set();
    if (f.openAr !== this.kpi.openAr) changed.add('open-ar');
    if (f.pastDue !== this.kpi.pastDue) changed.add('past-due');
    if (f.pastDuePercent !== this.kpi.pastDuePercent) changed.add('past-due-percent');
    Object.assign(this.kpi, { openAr: f.openAr, pastDue: f.pastDue, pastDuePercent: f.pastDuePercent });
    this.renderKpis(changed);
    this.reload('charts', this.loadCharts);
    this.reload('collection-kpis', this.loadCollectionKpis);
  }

  showImport(p) {
    const box = document.getElementById('imports');
    let row = box.querySelector(`[data-job="${CSS.escape(p.jobId)}"]`);
    if (!row) {
      row = el('div', { dataset: { job: p.jobId } }, el('label', {}, el('span', { class: 'text' }), el('progress', { max: 100, value: 0 })));
      box.querySelector('p.meta')?.remove();
      box.prepend(row);
    }
    const status = typeof p.status === 'number' ? ['running', 'completed', 'failed', 'interrupted'][p.status] : String(p.status).toLowerCase();
    row.dataset.status = status;
    row.querySelector('.text').textContent = `Import ${p.jobId}: ${status}, ${p.processedRows} of ${p.totalRows} rows${p.failedRows ? `, ${p.failedRows} refused` : ''}`;
    row.querySelector('progress').value = p.percentDone;
  }
}

/** Escalation status as a lower-case name, whether the engine sent the enum's number or its name. */
function statusName(status) {
  return typeof status === 'number' ? ['open', 'acknowledged', 'resolved'][status] ?? 'open' : String(status ?? 'open').toLowerCase();
}
