// The energy hub (docs/der.md): its schedule as the MPC applies it, step by
// step: what it imported and exported, its cost, each model's state and the
// switches and controls it set, with every step so far from its `record`.
import { useState } from '../vendor/hooks.js';
import { Picker, html, parsed, useAgentsOf, useCall, useStream } from '../lib.js';
import { Chart } from '../chart.js';

const round = (xs) => (xs || []).map((v) => Number(Number(v).toFixed(3))).join(', ');

export function Hub() {
  const hubs = useAgentsOf('EnergyHub');
  const [picked, setPicked] = useState('');
  const [live, setLive] = useState([]);
  const hub = picked || hubs[0];
  const record = useCall(hub, 'record', [0]);
  useStream(hub ? `hub/${hub}/step` : null, 10, (f) => {
    if (f.cached) return;
    setLive((l) => [...l, ...f.messages.map(({ message }) => parsed(message.body))]);
  });
  if (!hub) return html`<section><p class="note">No energy hub agent (libenergy-hub.so) is running.</p></section>`;
  const byStep = new Map();
  for (const s of [...(Array.isArray(record.data) ? record.data : []), ...live]) byStep.set(s.step, s);
  const steps = [...byStep.values()].sort((a, b) => a.step - b.step);
  const last = steps[steps.length - 1];
  const xs = steps.map((s) => s.step);
  let total = 0;
  const cost = steps.map((s) => (total += s.cost));
  const models = last ? Object.keys(last.models) : [];
  const stateOf = (m) => steps.map((s) => { const o = s.models[m]?.end; return o ? Object.values(o)[0] : null; });
  return html`<section>
    <div class="row"><${Picker} label="Hub" options=${hubs} value=${hub} onPick=${setPicked} />
      <span id="hub-steps">${steps.length} steps · cost so far ${total.toFixed(2)}</span></div>
    ${record.error && html`<p class="error">${record.error.message}</p>`}
    ${steps.length > 1 && html`<div class="grid">
      <div><h2>Grid (kW)</h2><${Chart} id="hub-grid" time=${false} series=${['import', 'export']} data=${[xs, steps.map((s) => s.import_kw), steps.map((s) => s.export_kw)]} />
        <h2>Cost, cumulative</h2><${Chart} time=${false} series=${['cost']} data=${[xs, cost]} /></div>
      <div><h2>States</h2><${Chart} time=${false} series=${models} data=${[xs, ...models.map(stateOf)]} /></div>
    </div>`}
    ${last && html`<h2>Step ${last.step}${last.safe ? html` <span class="error">safe schedule: ${last.why}</span>` : ''}</h2>
      <table id="hub-models"><thead><tr><th>model</th><th>switches</th><th>controls</th><th>state then</th><th>now</th><th>planned</th></tr></thead>
      <tbody>${models.map((m) => { const x = last.models[m]; return html`<tr><td>${m}</td><td>${round(x.switches)}</td>
        <td>${round(x.controls)}</td><td>${round(x.start)}</td><td>${round(x.end)}</td><td>${round(x.planned_end)}</td></tr>`; })}</tbody></table>`}
  </section>`;
}
