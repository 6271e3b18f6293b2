// Every agent at a glance: state, health (live from heartbeats), restarts,
// CPU and memory, container and organization; alerts as they happen.
import { useState } from '../vendor/hooks.js';
import { api, bytes, canOperate, html, time, useApi, useStream } from '../lib.js';

function orgOf(orgs) {
  const by = {};
  for (const o of orgs || []) for (const m of o.members) by[m.id] = `${o.name} (${m.role})`;
  return by;
}

function Actions({ id, onDone }) {
  const [busy, setBusy] = useState('');
  const act = async (what) => {
    setBusy(what);
    try { await api(`/api/agents/${encodeURIComponent(id)}/${what}`, { method: 'POST' }); onDone(''); }
    catch (e) { onDone(`${what} ${id}: ${e.message}`); }
    setBusy('');
  };
  return html`${['start', 'stop', 'restart'].map((w) => html`<button disabled=${busy !== ''} onClick=${() => act(w)}>${w}</button> `)}`;
}

export function Overview({ me }) {
  const agents = useApi('/api/agents', 3000);
  const orgs = useApi('/api/orgs');
  const [health, setHealth] = useState({});
  const [alerts, setAlerts] = useState([]);
  const [message, setMessage] = useState('');
  useStream('heartbeat', 2, (f) => setHealth((h) => {
    const next = { ...h };
    for (const { message: m } of f.messages) next[m.body.identity] = m.body;
    return next;
  }));
  useStream('alerts', 20, (f) => {
    if (f.cached) return;
    setAlerts((a) => [...f.messages.map((x) => x.message), ...a].slice(0, 50));
  });
  const org = orgOf(orgs.data);
  const list = agents.data || [];
  return html`<section>
      <h2>Agents <span class="note">(${list.length})</span></h2>
      ${agents.error && html`<p class="error">${agents.error.message}</p>`}
      ${message && html`<p class="error">${message}</p>`}
      <table id="agents">
        <thead><tr><th>identity</th><th>state</th><th>health</th><th class="num">restarts</th><th class="num">CPU</th>
          <th class="num">memory</th><th>container</th><th>organization</th>${canOperate(me) && html`<th></th>`}</tr></thead>
        <tbody>${list.map((a) => {
          const hb = health[a.identity];
          const status = hb ? hb.status : a.health;
          const context = hb ? hb.context : a.health_context;
          return html`<tr data-agent=${a.identity}>
            <td>${a.identity}</td><td class=${a.state.split('(')[0]}>${a.state}</td>
            <td class=${status} title=${context}>${status || '–'}</td>
            <td class="num">${a.restarts}</td>
            <td class="num">${a.cpu_percent === undefined ? '–' : `${a.cpu_percent.toFixed(1)} %`}</td>
            <td class="num">${bytes(a.rss_bytes)}</td>
            <td>${a.container || ''}</td><td>${org[a.identity] || ''}</td>
            ${canOperate(me) && html`<td><${Actions} id=${a.identity} onDone=${setMessage} /></td>`}
          </tr>`;
        })}</tbody>
      </table>
    </section>
    <section>
      <h2>Alerts</h2>
      ${alerts.length === 0 ? html`<p class="note">None since this page opened.</p>` : html`<ul class="alerts">
        ${alerts.map((m) => html`<li><span class="note">${time(m.timestamp_ns)}</span> <b>${m.body.identity}</b>:
          <span class=${m.body.previous}>${m.body.previous}</span> → <span class=${m.body.status}>${m.body.status}</span>
          ${m.body.context && html` <span class="note">${m.body.context}</span>`}</li>`)}
      </ul>`}
    </section>`;
}
