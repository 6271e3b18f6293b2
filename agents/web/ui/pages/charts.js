// Charts: a live series straight from the bus, and history from the
// historian with a range and a resolution.
import { useState } from '../vendor/hooks.js';
import { api, html, useStream } from '../lib.js';
import { Chart } from '../chart.js';

// A message's body as {name: number}: a number is itself; a map gives its
// numeric fields (a device's `all`); anything else gives nothing.
function numbers(body) {
  if (typeof body === 'number') return { value: body };
  const out = {};
  if (body && typeof body === 'object' && !Array.isArray(body))
    for (const [k, v] of Object.entries(body)) if (typeof v === 'number') out[k] = v;
  return out;
}

function Live() {
  const [topic, setTopic] = useState('');
  const [points, setPoints] = useState({ xs: [], ys: {} });
  useStream(topic, 10, (f) => setPoints((p) => {
    const xs = [...p.xs];
    const ys = { ...p.ys };
    for (const { message } of f.messages) {
      if (message.topic !== topic) continue;
      const values = numbers(message.body);
      xs.push(message.timestamp_ns / 1e9);
      for (const name of new Set([...Object.keys(ys), ...Object.keys(values)])) {
        const column = ys[name] ? [...ys[name]] : new Array(xs.length - 1).fill(null);
        column.push(values[name] ?? null);
        ys[name] = column;
      }
    }
    const keep = xs.length - 600;  // the last 600 points
    if (keep > 0) { xs.splice(0, keep); for (const k of Object.keys(ys)) ys[k] = ys[k].slice(keep); }
    return { xs, ys };
  }));
  const names = Object.keys(points.ys);
  const submit = (e) => { e.preventDefault(); setPoints({ xs: [], ys: {} }); setTopic(new FormData(e.target).get('topic')); };
  return html`<section>
    <h2>Live</h2>
    <form class="row" onSubmit=${submit}>
      <label>Topic <input name="topic" value=${topic} size="40" placeholder="devices/campus/b1/ahu1/all" /></label>
      <button type="submit">Chart</button>
      <span class="note">${points.xs.length} points</span>
    </form>
    ${names.length > 0 && html`<${Chart} id="live-chart" series=${names} data=${[points.xs, ...names.map((n) => points.ys[n])]} />`}
  </section>`;
}

const ranges = { '15 min': 'now-15m', '1 h': 'now-1h', '6 h': 'now-6h', '24 h': 'now-24h', '7 days': 'now-7d' };
const resolutions = { raw: '', '1 min': '1m', '5 min': '5m', '1 h': '1h' };

function History() {
  const [result, setResult] = useState(null);
  const [error, setError] = useState('');
  const submit = async (e) => {
    e.preventDefault();
    const f = new FormData(e.target);
    const q = new URLSearchParams({ topic: f.get('topic'), start: ranges[f.get('range')], count: '5000',
      historian: f.get('historian') });
    if (resolutions[f.get('resolution')]) { q.set('agg', 'avg'); q.set('agg_period', resolutions[f.get('resolution')]); }
    try {
      setError('');
      const r = await api(`/api/history?${q}`);
      const rows = r.values.filter(([, v]) => typeof v === 'number' || typeof v === 'boolean');
      setResult({ topic: r.topic, xs: rows.map(([t]) => Date.parse(t) / 1000), ys: rows.map(([, v]) => Number(v)) });
    } catch (err) { setResult(null); setError(err.message); }
  };
  return html`<section>
    <h2>History</h2>
    <form class="row" onSubmit=${submit}>
      <label>Topic <input name="topic" size="40" required /></label>
      <label>Range <select name="range">${Object.keys(ranges).map((r) => html`<option selected=${r === '1 h'}>${r}</option>`)}</select></label>
      <label>Resolution <select name="resolution">${Object.keys(resolutions).map((r) => html`<option>${r}</option>`)}</select></label>
      <label>Historian <input name="historian" value="historian" size="12" /></label>
      <button type="submit">Query</button>
    </form>
    ${error && html`<p class="error">${error}</p>`}
    ${result && html`<p class="note" id="history-count">${result.xs.length} values of ${result.topic}</p>
      <${Chart} id="history-chart" series=${[result.topic]} data=${[result.xs, result.ys]} />`}
  </section>`;
}

export function Charts() {
  return html`<${Live} /><${History} />`;
}
