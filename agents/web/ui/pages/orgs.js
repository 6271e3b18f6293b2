// The organizations (docs/organizations.md): their tree, and the energy that
// flows between them: each trading run's exchange between the DisCo and its
// aggregators (P^A2D per region), with the market (P^M) and the DisCo's
// deliveries (P^D2L), and the end-users' schedules. Organizations' topics are
// private: the web agent sees those it is a member of
// (`watt org add NAME web --role member`).
import { useState } from '../vendor/hooks.js';
import { html, useApi, useStream } from '../lib.js';
import { Chart } from '../chart.js';

function Tree({ orgs }) {
  const children = (parent) => orgs.filter((o) => (o.parent || '') === parent);
  const node = (o) => html`<li><b>${o.name}</b> <span class="note">${o.kind}</span>
    ${o.members.map((m) => html` <span title=${m.role}>${m.id} (${m.role})</span>`)}
    ${children(o.name).length > 0 && html`<ul>${children(o.name).map(node)}</ul>`}</li>`;
  return html`<ul id="org-tree">${children('').map(node)}</ul>`;
}

function Run({ result }) {
  const t = result.market.map((_, i) => i);
  const series = [...result.regions.map((r) => `A2D ${r}`), 'market P^M', 'D2L total'];
  const data = [t, ...result.a2d, result.market, result.d2l_total];
  return html`<p id="org-run">run ${result.run}: ${result.converged ? 'converged' : 'not converged'} in ${result.rounds} rounds
      (${result.stop}); costs: end-users ${result.ec_e.toFixed(2)}, aggregators ${result.ec_a.toFixed(2)},
      DisCo ${result.ec_d.toFixed(2)}</p>
    <${Chart} time=${false} series=${series} data=${data} />`;
}

export function Orgs() {
  const orgs = useApi('/api/orgs', 10000);
  const [results, setResults] = useState({});
  const [schedules, setSchedules] = useState({});
  useStream('org/+/trade/result', 2, (f) => setResults((r) => {
    const next = { ...r };
    for (const { message } of f.messages) next[message.topic.split('/')[1]] = message.body;
    return next;
  }));
  useStream('org/+/decision/schedule', 2, (f) => setSchedules((s) => {
    const next = { ...s };
    for (const { message } of f.messages) next[message.topic.split('/')[1]] = message.body;
    return next;
  }));
  const sum = (xs) => (xs || []).reduce((a, b) => a + (b || 0), 0);
  return html`<section><h2>Organizations</h2>
      ${orgs.error && html`<p class="error">${orgs.error.message}</p>`}
      ${orgs.data && (orgs.data.length ? html`<${Tree} orgs=${orgs.data} />` : html`<p class="note">No organizations.</p>`)}
    </section>
    <section><h2>Energy between organizations</h2>
      ${Object.keys(results).length === 0 ? html`<p class="note">No trading run seen yet (org/…/trade/result, for
        organizations this agent is a member of).</p>` : Object.entries(results).map(([org, r]) => html`<h2>${org}</h2><${Run} result=${r} />`)}
    </section>
    <section><h2>End-users' schedules</h2>
      ${Object.keys(schedules).length === 0 ? html`<p class="note">None seen yet.</p>` : html`<table id="org-schedules">
        <thead><tr><th>end-user</th><th class="num">load</th><th class="num">production</th><th class="num">net</th><th class="num">to its aggregator</th></tr></thead>
        <tbody>${Object.entries(schedules).map(([org, s]) => html`<tr><td>${org}</td><td class="num">${sum(s.load).toFixed(2)}</td>
          <td class="num">${sum(s.production).toFixed(2)}</td><td class="num">${sum(s.net).toFixed(2)}</td>
          <td class="num">${sum(s.l2a).toFixed(2)}</td></tr>`)}</tbody></table>`}
    </section>`;
}
