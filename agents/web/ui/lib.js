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
