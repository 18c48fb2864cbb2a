// REST calls with the signed-in user's token; every answer's Date header keeps the engine's clock (which a test clock may move).
let token = null;
let skewMs = 0;

export function setToken(value) { token = value; }

/** The engine's current time, as the last answer's Date header said (to the second). */
export function engineNow() { return new Date(Date.now() + skewMs); }

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail ?? problem?.title ?? `HTTP ${status}`);
    this.status = status;
    this.problem = problem ?? {};
  }
}

export async function api(method, path, body, headers = {}) {
  const res = await fetch(`/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const date = res.headers.get('date');
  if (date) {
    const engine = Date.parse(date);
    // Date has whole seconds: only move when the difference is larger than that rounding.
    if (Math.abs(engine - (Date.now() + skewMs)) > 1500) skewMs = engine - Date.now();
  }
  const text = await res.text();
  const json = text ? JSON.parse(text) : null;
  if (!res.ok) throw new ApiError(res.status, json);
  return { json, etag: res.headers.get('etag') };
}

export const get = async path => (await api('GET', path)).json;

/** A fresh id for commands that create something (the engine's idempotency uses it too). */
export function newId(prefix) {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

export function money(amount, currency = 'USD') {
  if (amount === null || amount === undefined) return '–';
  return new Intl.NumberFormat('en-US', { style: 'currency', currency, maximumFractionDigits: 0 }).format(amount);
}

export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === 'class') node.className = v;
    else if (k === 'dataset') Object.assign(node.dataset, v);
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else if (v !== undefined && v !== null && v !== false) node.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) if (c !== null && c !== undefined) node.append(c instanceof Node ? c : String(c));
  return node;
}

export function flash(node) {
  node.classList.remove('flash');
  void node.offsetWidth;
  node.classList.add('flash');
}

/** Local time in an IANA zone, e.g. "Tue 14:05". */
export function localTime(at, timeZone) {
  return new Intl.DateTimeFormat('en-GB', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit' }).format(at);
}

/** Plain words for a refusal: the problem's detail, each named field's reason, and the next permitted time when given. */
export function explain(error) {
  if (!(error instanceof ApiError)) return String(error?.message ?? error);
  if (error.status === 404) return `Not found (404): ${error.problem.detail ?? 'the engine does not offer this here.'}`;
  const fields = Object.entries(error.problem.errors ?? {}).map(([f, reasons]) => `${f}: ${reasons.join(' ')}`);
  const detail = error.problem.detail ?? error.problem.title ?? `HTTP ${error.status}`;
  return fields.length && !fields.some(f => detail.includes(f.split(': ')[1])) ? `${detail} (${fields.join('; ')})` : detail;
}
