// What every page shares: htm bound to preact, the JSON API with its CSRF
// token, and hooks for the API and the stream.
import { h } from './vendor/preact.js';
import { useEffect, useState, useRef } from './vendor/hooks.js';
import htm from './vendor/htm.js';
import { stream } from './stream.js';

export const html = htm.bind(h);

let csrf = '';
export function setCsrf(token) { csrf = token; }

// fetch for the API: JSON in and out; a failure throws an Error holding the
// server's own message (an agent's refusal, a missing role…).
export async function api(path, { method = 'GET', body, text } = {}) {
  const headers = {};
  if (method !== 'GET') headers['X-CSRF-Token'] = csrf;
  let payload;
  if (text !== undefined) { payload = text; headers['Content-Type'] = 'text/plain'; }
  else if (body !== undefined) { payload = JSON.stringify(body); headers['Content-Type'] = 'application/json'; }
  const res = await fetch(path, { method, headers, body: payload, credentials: 'same-origin' });
  const data = await res.json().catch(() => ({ error: res.statusText }));
  if (!res.ok) {
    const e = new Error(data.error || res.statusText);
    e.status = res.status;
    e.data = data;
    throw e;
  }
  return data;
}

// The answer of a GET, fetched again every `every` ms (0: once).
export function useApi(path, every = 0) {
  const [state, setState] = useState({ data: null, error: null });
  useEffect(() => {
    if (!path) return undefined;
    let live = true;
    const load = () => api(path).then(
      (data) => live && setState({ data, error: null }),
      (error) => live && setState((s) => ({ data: s.data, error })));
    load();
    const t = every ? setInterval(load, every) : null;
    return () => { live = false; if (t) clearInterval(t); };
  }, [path, every]);
  return state;
}

// Calls fn(frame) for each frame of a pattern while the page shows.
export function useStream(pattern, rate, fn) {
  const ref = useRef(fn);
  ref.current = fn;
  useEffect(() => {
    if (!pattern) return undefined;
    return stream.subscribe(pattern, rate, (f) => ref.current(f));
  }, [pattern, rate]);
}

export function bytes(n) {
  if (n === undefined || n === null) return '–';
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(0)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

export function time(ns) { return new Date(ns / 1e6).toLocaleTimeString(); }

export function canOperate(me) { return me && (me.role === 'operator' || me.role === 'admin'); }

// A body as the page wants it: the applications that publish JSON text are
// read as the JSON it holds.
export function parsed(body) {
  if (typeof body !== 'string') return body;
  try { return JSON.parse(body); } catch { return body; }
}

// A read-only method of an agent (the server's viewer_methods), fetched
// again whenever `key` changes.
export function useCall(peer, method, args = [], key = 0) {
  const path = peer ? `/api/call/${encodeURIComponent(peer)}/${method}?args=${encodeURIComponent(JSON.stringify(args))}` : null;
  const [state, setState] = useState({ data: null, error: null });
  useEffect(() => {
    if (!path) return undefined;
    let live = true;
    api(path).then((d) => live && setState({ data: parsed(d), error: null }), (error) => live && setState({ data: null, error }));
    return () => { live = false; };
  }, [path, key]);
  return state;
}

// Any JSON as a table: a list of maps (one row each), a map of maps (one
// row per key), or a map of scalars (one row per key).
export function JsonTable({ value, id, keyName = '' }) {
  if (value === null || value === undefined) return html`<p class="note">–</p>`;
  const cell = (v) => (v !== null && typeof v === 'object' ? JSON.stringify(v) : typeof v === 'number' ? Number(v.toFixed(4)) : String(v));
  let rows;
  if (Array.isArray(value)) rows = value.map((v) => (v && typeof v === 'object' && !Array.isArray(v) ? v : { value: v }));
  else if (typeof value === 'object') rows = Object.entries(value).map(([k, v]) => (v && typeof v === 'object' && !Array.isArray(v) ? { [keyName || 'name']: k, ...v } : { [keyName || 'name']: k, value: v }));
  else return html`<p>${String(value)}</p>`;
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  return html`<table id=${id}><thead><tr>${columns.map((c) => html`<th>${c}</th>`)}</tr></thead>
    <tbody>${rows.map((r) => html`<tr>${columns.map((c) => html`<td class=${typeof r[c] === 'number' ? 'num' : ''}>${r[c] === undefined ? '' : cell(r[c])}</td>`)}</tr>`)}</tbody></table>`;
}

// The running agents of a class (its C++ name's last part, e.g. MarketAgent).
export function useAgentsOf(className) {
  const agents = useApi('/api/agents', 3000);  // agents come and go
  return (agents.data || []).filter((a) => a.class_name.split('::').pop() === className).map((a) => a.identity);
}

export function Picker({ label, options, value, onPick, id }) {
  return html`<label>${label} <select id=${id} onChange=${(e) => onPick(e.target.value)}>
    ${options.map((o) => html`<option selected=${o === value}>${o}</option>`)}</select></label>`;
}
